// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

public final class AudioFormat {
  public static final int CHANNEL_IN_MONO = 16;
  public static final int ENCODING_PCM_16BIT = 2;
  public static final int ENCODING_PCM_8BIT = 3;
  public static final int ENCODING_PCM_FLOAT = 4;
  public static final int ENCODING_PCM_24BIT_PACKED = 21;
  public static final int ENCODING_PCM_32BIT = 22;
}
