// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.webkit;

/** Why a WebView's renderer went away. Test hook: the constructor taking didCrash. */
public abstract class RenderProcessGoneDetail {
  public abstract boolean didCrash();

  public abstract int rendererPriorityAtExit();

  /** Test hook: a detail as Android hands it to onRenderProcessGone. */
  public static RenderProcessGoneDetail of(final boolean crashed) {
    return new RenderProcessGoneDetail() {
      @Override
      public boolean didCrash() {
        return crashed;
      }

      @Override
      public int rendererPriorityAtExit() {
        return 0;
      }
    };
  }
}
