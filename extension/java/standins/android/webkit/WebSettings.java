// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
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
