package org.pac.classifier;

import android.media.MediaCodec;
import android.media.MediaExtractor;
import android.media.MediaFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes an audio file to mono 16-bit PCM with Android's own MediaExtractor
 * and MediaCodec: 3GP/AMR-NB from SoundRecorder, WAV, M4A/AAC, MP3, Ogg. It
 * only decodes and mixes channels; the JS runtime resamples.
 */
final class AudioDecoder {
  /** The file holds no audio track that Android can decode. */
  static final class UnsupportedFormat extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedFormat(String message) {
      super(message);
    }
  }

  /** Mono PCM: 16-bit little-endian samples and their rate. */
  static final class Pcm {
    final byte[] samples;
    final int rateHz;

    Pcm(byte[] samples, int rateHz) {
      this.samples = samples;
      this.rateHz = rateHz;
    }
  }

  private static final long TIMEOUT_US = 10000;
  private static final int ENCODING_PCM_FLOAT = 4;

  private AudioDecoder() {}

  static Pcm decode(String path) throws UnsupportedFormat, IOException {
    MediaExtractor extractor = new MediaExtractor();
    try {
      try {
        extractor.setDataSource(path);
      } catch (IOException e) {
        throw new UnsupportedFormat(path + ": not an audio file Android can read");
      }
      int track = -1;
      MediaFormat format = null;
      for (int i = 0; i < extractor.getTrackCount(); i++) {
        MediaFormat candidate = extractor.getTrackFormat(i);
        String mime = candidate.getString(MediaFormat.KEY_MIME);
        if (mime != null && mime.startsWith("audio/")) {
          track = i;
          format = candidate;
          break;
        }
      }
      if (format == null) {
        throw new UnsupportedFormat(path + ": no audio track");
      }
      extractor.selectTrack(track);
      MediaCodec codec;
      try {
        codec = MediaCodec.createDecoderByType(format.getString(MediaFormat.KEY_MIME));
      } catch (IOException e) {
        throw new UnsupportedFormat(
            path + ": no decoder for " + format.getString(MediaFormat.KEY_MIME));
      } catch (IllegalArgumentException e) {
        throw new UnsupportedFormat(
            path + ": no decoder for " + format.getString(MediaFormat.KEY_MIME));
      }
      try {
        codec.configure(format, null, null, 0);
        codec.start();
        return drain(extractor, codec, format);
      } finally {
        codec.release();
      }
    } finally {
      extractor.release();
    }
  }

  private static Pcm drain(MediaExtractor extractor, MediaCodec codec, MediaFormat format)
      throws IOException {
    int rateHz = format.getInteger(MediaFormat.KEY_SAMPLE_RATE);
    int channels = format.getInteger(MediaFormat.KEY_CHANNEL_COUNT);
    int encoding = 2;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MediaCodec.BufferInfo info = new MediaCodec.BufferInfo();
    boolean inputDone = false;
    while (true) {
      if (!inputDone) {
        int in = codec.dequeueInputBuffer(TIMEOUT_US);
        if (in >= 0) {
          int size = extractor.readSampleData(codec.getInputBuffer(in), 0);
          if (size < 0) {
            codec.queueInputBuffer(in, 0, 0, 0, MediaCodec.BUFFER_FLAG_END_OF_STREAM);
            inputDone = true;
          } else {
            codec.queueInputBuffer(in, 0, size, extractor.getSampleTime(), 0);
            extractor.advance();
          }
        }
      }
      int index = codec.dequeueOutputBuffer(info, TIMEOUT_US);
      if (index == MediaCodec.INFO_OUTPUT_FORMAT_CHANGED) {
        MediaFormat output = codec.getOutputFormat();
        rateHz = output.getInteger(MediaFormat.KEY_SAMPLE_RATE);
        channels = output.getInteger(MediaFormat.KEY_CHANNEL_COUNT);
        if (output.containsKey(MediaFormat.KEY_PCM_ENCODING)) {
          encoding = output.getInteger(MediaFormat.KEY_PCM_ENCODING);
        }
      } else if (index >= 0) {
        ByteBuffer buffer = codec.getOutputBuffer(index);
        buffer.position(info.offset);
        byte[] chunk = new byte[info.size];
        buffer.get(chunk);
        codec.releaseOutputBuffer(index, false);
        out.write(toMono16(chunk, channels, encoding));
        if ((info.flags & MediaCodec.BUFFER_FLAG_END_OF_STREAM) != 0) {
          break;
        }
      }
    }
    return new Pcm(out.toByteArray(), rateHz);
  }

  /** Interleaved 16-bit or float PCM -> mono 16-bit little-endian, channels averaged. */
  static byte[] toMono16(byte[] interleaved, int channels, int encoding) {
    ByteBuffer in = ByteBuffer.wrap(interleaved).order(ByteOrder.LITTLE_ENDIAN);
    int bytesPerSample = encoding == ENCODING_PCM_FLOAT ? 4 : 2;
    int frames = interleaved.length / (bytesPerSample * channels);
    ByteBuffer out = ByteBuffer.allocate(frames * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int f = 0; f < frames; f++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        int at = (f * channels + c) * bytesPerSample;
        sum += encoding == ENCODING_PCM_FLOAT ? in.getFloat(at) * 32768.0 : in.getShort(at);
      }
      long mono = Math.round(sum / channels);
      out.putShort((short) Math.max(-32768, Math.min(32767, mono)));
    }
    return out.array();
  }
}
