// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.webkit;

import android.content.Context;
import java.util.ArrayList;
import java.util.List;

/** Records what the component does to it, for the tests; {@link #all} lists every WebView made. */
public class WebView {
  public static final List<WebView> all = new ArrayList<WebView>();
  public final WebSettings settings = new WebSettings();
  public final List<String> scripts = new ArrayList<String>();
  public Object javascriptInterface;
  public String javascriptInterfaceName;
  public WebViewClient client;
  public WebChromeClient chromeClient;
  public String url;
  public boolean destroyed;

  public WebView(Context context) {
    synchronized (all) {
      all.add(this);
    }
  }

  public WebSettings getSettings() {
    return settings;
  }

  public void addJavascriptInterface(Object object, String name) {
    javascriptInterface = object;
    javascriptInterfaceName = name;
  }

  public synchronized void evaluateJavascript(String script, ValueCallback<String> resultCallback) {
    if (destroyed) {
      throw new IllegalStateException("evaluateJavascript on a destroyed WebView");
    }
    scripts.add(script);
  }

  public synchronized List<String> scripts() {
    return new ArrayList<String>(scripts);
  }

  public void loadUrl(String url) {
    this.url = url;
  }

  public void stopLoading() {}

  public void setWebViewClient(WebViewClient client) {
    this.client = client;
  }

  public void setWebChromeClient(WebChromeClient client) {
    chromeClient = client;
  }

  public synchronized void destroy() {
    destroyed = true;
  }
}
