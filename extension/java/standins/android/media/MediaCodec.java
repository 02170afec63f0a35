// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.media;

import java.io.IOException;
import java.nio.ByteBuffer;

/** For the tests: the "audio/raw" decoder, which passes PCM through. */
public final class MediaCodec {
  public static final int BUFFER_FLAG_END_OF_STREAM = 4;
  public static final int INFO_TRY_AGAIN_LATER = -1;
  public static final int INFO_OUTPUT_FORMAT_CHANGED = -2;

  public static final class BufferInfo {
    public int flags;
    public int offset;
    public long presentationTimeUs;
    public int size;
  }

  private final ByteBuffer input = ByteBuffer.allocate(8192);
  private final ByteBuffer output = ByteBuffer.allocate(8192);
  private MediaFormat format;
  private int pending = -1;
  private boolean endOfStream;

  MediaCodec() {}

  public static MediaCodec createDecoderByType(String type) throws IOException {
    if (!"audio/raw".equals(type)) {
      throw new IOException("no decoder for " + type);
    }
    return new MediaCodec();
  }

  public void configure(MediaFormat format, Object surface, Object crypto, int flags) {
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
