// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.webkit;

import android.net.Uri;

/** A web page's request for a permission; records the answer, for the tests. */
public class PermissionRequest {
  private final Uri origin;
  private final String[] resources;
  public String[] granted;
  public boolean denied;

  public PermissionRequest(String origin, String[] resources) {
    this.origin = Uri.parse(origin);
    this.resources = resources;
  }

  public Uri getOrigin() {
    return origin;
  }

  public String[] getResources() {
    return resources;
  }

  public void grant(String[] resources) {
    granted = resources;
  }

  public void deny() {
    denied = true;
  }
}
