// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

import android.content.Context;
import java.util.ArrayList;
import java.util.List;

/** Records what the component does to it, for the tests. */
public class WebView {
  public final WebSettings settings = new WebSettings();
  public final List<String> scripts = new ArrayList<String>();
  public Object javascriptInterface;
  public String javascriptInterfaceName;
  public WebViewClient client;
  public WebChromeClient chromeClient;
  public String url;
  public boolean destroyed;

  public WebView(Context context) {}

  public WebSettings getSettings() {
    return settings;
  }

  public void addJavascriptInterface(Object object, String name) {
    javascriptInterface = object;
    javascriptInterfaceName = name;
  }

  public synchronized void evaluateJavascript(String script, ValueCallback<String> resultCallback) {
    scripts.add(script);
  }

  public synchronized List<String> scripts() {
    return new ArrayList<String>(scripts);
  }

  public void loadUrl(String url) {
    this.url = url;
  }

  public void setWebViewClient(WebViewClient client) {
    this.client = client;
  }

  public void setWebChromeClient(WebChromeClient client) {
    chromeClient = client;
  }

  public void destroy() {
    destroyed = true;
  }
}
