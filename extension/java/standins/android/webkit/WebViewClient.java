// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

public class WebViewClient {
  public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) {
    return null;
  }

  @Deprecated
  public WebResourceResponse shouldInterceptRequest(WebView view, String url) {
    return null;
  }
}
