// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.media;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * For the tests: reads 16-bit PCM WAV files as Android's extractor does (one
 * "audio/raw" track), and refuses anything else as Android does.
 */
public final class MediaExtractor {
  private byte[] pcm;
  private int position;
  private MediaFormat format;

  public void setDataSource(String path) throws IOException {
    byte[] data = new byte[(int) new File(path).length()];
    RandomAccessFile file = new RandomAccessFile(path, "r");
    try {
      file.readFully(data);
    } finally {
      file.close();
    }
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (data.length < 12
        || !new String(data, 0, 4, "US-ASCII").equals("RIFF")
        || !new String(data, 8, 4, "US-ASCII").equals("WAVE")) {
      throw new IOException("Failed to instantiate extractor.");
    }
    int offset = 12;
    while (offset + 8 <= data.length) {
      String id = new String(data, offset, 4, "US-ASCII");
      int size = buffer.getInt(offset + 4);
      if (id.equals("fmt ")) {
        format = new MediaFormat();
        format.setString(MediaFormat.KEY_MIME, "audio/raw");
        format.setInteger(MediaFormat.KEY_CHANNEL_COUNT, buffer.getShort(offset + 10));
        format.setInteger(MediaFormat.KEY_SAMPLE_RATE, buffer.getInt(offset + 12));
      } else if (id.equals("data")) {
        pcm = new byte[Math.min(size, data.length - offset - 8)];
        System.arraycopy(data, offset + 8, pcm, 0, pcm.length);
      }
      offset += 8 + size + (size & 1);
    }
    if (format == null || pcm == null) {
      throw new IOException("Failed to instantiate extractor.");
    }
  }

  public int getTrackCount() {
    return format == null ? 0 : 1;
  }

  public MediaFormat getTrackFormat(int index) {
    return format;
  }

  public void selectTrack(int index) {}

  public int readSampleData(ByteBuffer byteBuf, int offset) {
    if (position >= pcm.length) {
      return -1;
    }
    int n = Math.min(4096, pcm.length - position);
    byteBuf.position(offset);
    byteBuf.put(pcm, position, n);
    return n;
  }

  public long getSampleTime() {
    return position >= pcm.length ? -1 : position;
  }

  public boolean advance() {
    position += 4096;
    return position < pcm.length;
  }

  public void release() {}
}
