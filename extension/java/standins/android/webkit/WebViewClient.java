// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.webkit;

public class WebViewClient {
  public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) {
    return null;
  }

  @Deprecated
  public WebResourceResponse shouldInterceptRequest(WebView view, String url) {
    return null;
  }

  /**
   * Android's default returns false: "the application will be killed" when the renderer goes
   * away (Android reference, WebViewClient.onRenderProcessGone, API 26).
   */
  public boolean onRenderProcessGone(WebView view, RenderProcessGoneDetail detail) {
    return false;
  }

  public void onReceivedError(WebView view, WebResourceRequest request, WebResourceError error) {}

  @Deprecated
  public void onReceivedError(WebView view, int errorCode, String description, String failingUrl) {}

  public void onReceivedHttpError(
      WebView view, WebResourceRequest request, WebResourceResponse errorResponse) {}
}
