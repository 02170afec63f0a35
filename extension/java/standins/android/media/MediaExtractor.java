// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads WAV files as Android's WAV extractor does for an app (AOSP frameworks/av,
 * media/extractors/wav/WAVExtractor.cpp, API 24 to 34): one "audio/raw" track, always 16-bit
 * (KEY_PCM_ENCODING 2), whatever the file holds: 8-bit unsigned is widened, 24-bit keeps its
 * top 16 bits, 32-bit integer is shifted right by 16, 32-bit float is clamped, none dithered.
 * (Android 5 and 6 open only 8-, 16- and 24-bit files.) Anything else is refused, as Android
 * refuses what it cannot read.
 */
public final class MediaExtractor {
  private byte[] pcm;
  private int position;
  private int frameBytes;
  private MediaFormat format;
  private int encoding;

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
        format.setInteger(MediaFormat.KEY_PCM_ENCODING, AudioFormat.ENCODING_PCM_16BIT);
        encoding = encoding(tag, bits);
        frameBytes = channels * 2;
      } else if (id.equals("data")) {
        byte[] raw = new byte[Math.min(size, data.length - offset - 8)];
        System.arraycopy(data, offset + 8, raw, 0, raw.length);
        pcm = raw;
      }
      offset += 8 + size + (size & 1);
    }
    if (format == null || pcm == null) {
      throw new IOException("Failed to instantiate extractor.");
    }
    pcm = to16(pcm, encoding);
  }

  /** The samples as 16-bit little-endian, as the extractor converts them. */
  private static byte[] to16(byte[] raw, int encoding) {
    ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int width = encoding == AudioFormat.ENCODING_PCM_8BIT ? 1
        : encoding == AudioFormat.ENCODING_PCM_16BIT ? 2
        : encoding == AudioFormat.ENCODING_PCM_24BIT_PACKED ? 3 : 4;
    int n = raw.length / width;
    ByteBuffer out = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      int at = i * width;
      short sample;
      if (encoding == AudioFormat.ENCODING_PCM_8BIT) {
        sample = (short) (((raw[at] & 0xff) - 128) << 8);
      } else if (encoding == AudioFormat.ENCODING_PCM_16BIT) {
        sample = in.getShort(at);
      } else if (encoding == AudioFormat.ENCODING_PCM_24BIT_PACKED) {
        sample = (short) ((raw[at + 1] & 0xff) | (raw[at + 2] << 8));
      } else if (encoding == AudioFormat.ENCODING_PCM_32BIT) {
        sample = (short) (in.getInt(at) >> 16);
      } else {
        float x = in.getFloat(at) * 32768f;
        sample = (short) Math.max(-32768, Math.min(32767, Math.round(x)));
      }
      out.putShort(sample);
    }
    return out.array();
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
