// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads WAV files as Android's WAV extractor does: one "audio/raw" track whose samples keep
 * the file's format, with KEY_PCM_ENCODING saying which (8-bit unsigned, 16-, 24- or 32-bit
 * integer, or 32-bit float); anything else is refused, as Android refuses what it cannot read.
 */
public final class MediaExtractor {
  private byte[] pcm;
  private int position;
  private int frameBytes;
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
        int tag = buffer.getShort(offset + 8) & 0xffff;
        int channels = buffer.getShort(offset + 10);
        int bits = buffer.getShort(offset + 22);
        if (tag == 0xfffe && size >= 40) { // WAVE_FORMAT_EXTENSIBLE: the sub-format's tag
          tag = buffer.getShort(offset + 8 + 24) & 0xffff;
        }
        format = new MediaFormat();
        format.setString(MediaFormat.KEY_MIME, "audio/raw");
        format.setInteger(MediaFormat.KEY_CHANNEL_COUNT, channels);
        format.setInteger(MediaFormat.KEY_SAMPLE_RATE, buffer.getInt(offset + 12));
        format.setInteger(MediaFormat.KEY_PCM_ENCODING, encoding(tag, bits));
        frameBytes = channels * bits / 8;
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

  private static int encoding(int tag, int bits) throws IOException {
    if (tag == 3 && bits == 32) {
      return AudioFormat.ENCODING_PCM_FLOAT;
    }
    if (tag == 1) {
      switch (bits) {
        case 8:
          return AudioFormat.ENCODING_PCM_8BIT;
        case 16:
          return AudioFormat.ENCODING_PCM_16BIT;
        case 24:
          return AudioFormat.ENCODING_PCM_24BIT_PACKED;
        case 32:
          return AudioFormat.ENCODING_PCM_32BIT;
        default:
          break;
      }
    }
    throw new IOException("Failed to instantiate extractor.");
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
    int n = Math.min(4096 / frameBytes * frameBytes, pcm.length - position);
    byteBuf.position(offset);
    byteBuf.put(pcm, position, n);
    return n;
  }

  public long getSampleTime() {
    return position >= pcm.length ? -1 : position;
  }

  public boolean advance() {
    position += 4096 / frameBytes * frameBytes;
    return position < pcm.length;
  }

  public void release() {}
}
