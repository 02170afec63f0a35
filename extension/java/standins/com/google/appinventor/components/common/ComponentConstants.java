// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.common;

public class ComponentConstants {
  public static final int APP_INVENTOR_MIN_SDK = 14;
}
