// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.media;

public class MediaRecorder {
  public final class AudioSource {
    public static final int MIC = 1;
  }
}
