// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

public class WebChromeClient {
  public void onPermissionRequest(PermissionRequest request) {
    request.deny();
  }
}
