// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.runtime;

public interface PermissionResultHandler {
  void HandlePermissionResponse(String permission, boolean granted);
}
