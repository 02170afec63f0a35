// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

import android.view.Surface;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The "audio/raw" decoder, which passes PCM through, as Android's raw decoder does. Like the
 * real codecs, it reports INFO_OUTPUT_FORMAT_CHANGED before its first output buffer. Test
 * hook: {@link #stuck} makes every codec never produce output (a codec that hangs).
 */
public final class MediaCodec {
  public static final int BUFFER_FLAG_END_OF_STREAM = 4;
  public static final int INFO_TRY_AGAIN_LATER = -1;
  public static final int INFO_OUTPUT_FORMAT_CHANGED = -2;

  public static volatile boolean stuck;

  public static final class BufferInfo {
    public int flags;
    public int offset;
    public long presentationTimeUs;
    public int size;
  }

  private final ByteBuffer input = ByteBuffer.allocate(65536);
  private final ByteBuffer output = ByteBuffer.allocate(65536);
  private MediaFormat format;
  private boolean formatReported;
  private int pending = -1;
  private boolean endOfStream;

  MediaCodec() {}

  public static MediaCodec createDecoderByType(String type) throws IOException {
    if (!"audio/raw".equals(type)) {
      throw new IOException("no decoder for " + type);
    }
    return new MediaCodec();
  }

  public void configure(MediaFormat format, Surface surface, MediaCrypto crypto, int flags) {
    this.format = format;
  }

  public void start() {}

  public int dequeueInputBuffer(long timeoutUs) {
    return pending < 0 && !endOfStream ? 0 : -1;
  }

  public ByteBuffer getInputBuffer(int index) {
    input.clear();
    return input;
  }

  public void queueInputBuffer(int index, int offset, int size, long presentationTimeUs, int flags) {
    output.clear();
    output.put(input.array(), offset, size);
    pending = size;
    endOfStream = (flags & BUFFER_FLAG_END_OF_STREAM) != 0;
  }

  public int dequeueOutputBuffer(BufferInfo info, long timeoutUs) {
    if (stuck) {
      try {
        Thread.sleep(timeoutUs / 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return INFO_TRY_AGAIN_LATER;
    }
    if (!formatReported) {
      formatReported = true;
      return INFO_OUTPUT_FORMAT_CHANGED;
    }
    if (pending < 0) {
      return INFO_TRY_AGAIN_LATER;
    }
    info.offset = 0;
    info.size = pending;
    info.flags = endOfStream ? BUFFER_FLAG_END_OF_STREAM : 0;
    pending = -1;
    return 0;
  }

  public ByteBuffer getOutputBuffer(int index) {
    output.position(0);
    return output;
  }

  public MediaFormat getOutputFormat() {
    return format;
  }

  public void releaseOutputBuffer(int index, boolean render) {}

  public void stop() {}

  public void release() {}
}
