// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

public class WebSettings {
  public boolean javaScriptEnabled;

  public void setJavaScriptEnabled(boolean flag) {
    javaScriptEnabled = flag;
  }

  public void setAllowFileAccess(boolean allow) {}

  public void setMediaPlaybackRequiresUserGesture(boolean require) {}
}
