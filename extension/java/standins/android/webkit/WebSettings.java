// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

public class WebSettings {
  public static final int MIXED_CONTENT_ALWAYS_ALLOW = 0;
  public boolean javaScriptEnabled;
  public int mixedContentMode = 1;

  public void setMixedContentMode(int mode) {
    mixedContentMode = mode;
  }

  public void setJavaScriptEnabled(boolean flag) {
    javaScriptEnabled = flag;
  }

  public void setAllowFileAccess(boolean allow) {}

  public void setMediaPlaybackRequiresUserGesture(boolean require) {}
}
