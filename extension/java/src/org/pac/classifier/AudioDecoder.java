package org.pac.classifier;

import android.media.MediaCodec;
import android.media.MediaExtractor;
import android.media.MediaFormat;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes an audio file to mono float PCM with Android's own MediaExtractor and MediaCodec:
 * 3GP/AMR-NB from SoundRecorder, WAV of any depth, M4A/AAC, MP3, Ogg. It decodes and mixes
 * channels; the WebView page resamples.
 *
 * <p>Memory is bounded: a clip longer than the model takes is cut to the part the model uses
 * (the middle, as pac classify and the graph take it), with a margin for the resampler, and
 * {@link Pcm} says where that part sits in the whole clip. A recording up to about twice the
 * model's length is decoded once; a longer one twice (once to count its samples). Decoding
 * stops with an error at a deadline, so a stuck codec cannot hold the thread for good.
 */
final class AudioDecoder {
  /** Why a clip cannot be classified: an ErrorCodes code and a message for the Error event. */
  static final class ClipError extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    ClipError(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /**
   * Mono float PCM at {@code rateHz}. When the clip was cut, {@code firstModelSample} is where
   * the samples start in the whole clip resampled to the model's rate, and {@code
   * totalModelSamples} that whole clip's length at the model's rate; both are -1 when the
   * samples are the whole clip.
   */
  static final class Pcm {
    final float[] samples;
    final int rateHz;
    final long firstModelSample;
    final long totalModelSamples;

    Pcm(float[] samples, int rateHz, long firstModelSample, long totalModelSamples) {
      this.samples = samples;
      this.rateHz = rateHz;
      this.firstModelSample = firstModelSample;
      this.totalModelSamples = totalModelSamples;
    }

    /** Little-endian float32 bytes, what the page reads. */
    byte[] bytes() {
      ByteBuffer out = ByteBuffer.allocate(4 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
      out.asFloatBuffer().put(samples);
      return out.array();
    }
  }

  /**
   * Input beyond the part the model uses that is kept on each side of it, in seconds: more than
   * the page's resampler reads past a sample (64 periods of the lower rate: 8 ms at 8 kHz).
   */
  static final double MARGIN_SECONDS = 0.25;

  // AudioFormat.ENCODING_PCM_*: the sample formats a raw decoder may hand out.
  static final int PCM_16BIT = 2;
  static final int PCM_8BIT = 3;
  static final int PCM_FLOAT = 4;
  static final int PCM_24BIT_PACKED = 21;
  static final int PCM_32BIT = 22;

  private static final long TIMEOUT_US = 10000;

  private final int modelRateHz;
  private final long maxModelSamples;
  private final long deadlineNanos;

  /**
   * @param modelRateHz the model's sample rate
   * @param maxModelSamples the most samples the model takes, at its rate (max_clip_samples)
   * @param deadlineNanos System.nanoTime() past which decoding gives up
   */
  AudioDecoder(int modelRateHz, long maxModelSamples, long deadlineNanos) {
    this.modelRateHz = modelRateHz;
    this.maxModelSamples = maxModelSamples;
    this.deadlineNanos = deadlineNanos;
  }

  Pcm decode(File file) throws ClipError, IOException {
    String name = file.getName();
    // Pass 1: everything, unless the clip turns out longer than twice what the model uses.
    Decoded first = run(file, name, 0, Long.MAX_VALUE, -1);
    if (first.total == 0) {
      throw new ClipError(ErrorCodes.EMPTY_CLIP, name + ": the recording holds no samples");
    }
    Window window = window(first.total, first.rateHz);
    if (window == null) {
      return new Pcm(first.samples(0, (int) first.total), first.rateHz, -1, -1);
    }
    if (first.kept >= window.end) {
      return new Pcm(
          first.samples((int) window.start, (int) window.end), first.rateHz, window.first, window.total);
    }
    // Pass 2: only the window, now that the length is known.
    Decoded second = run(file, name, window.start, window.end, first.rateHz);
    return new Pcm(
        second.samples(0, (int) (window.end - window.start)), first.rateHz, window.first, window.total);
  }

  /** The part of a clip of {@code total} samples at {@code rateHz} to keep, or null for all. */
  Window window(long total, int rateHz) {
    int gcd = gcd(rateHz, modelRateHz);
    long up = modelRateHz / gcd;
    long down = rateHz / gcd;
    long totalModel = (total * up + down - 1) / down; // ceil: the resampler's output length
    if (totalModel <= maxModelSamples) {
      return null;
    }
    long firstModel = (totalModel - maxModelSamples) / 2; // the middle, as clip_input takes it
    long margin = (long) Math.ceil(MARGIN_SECONDS * rateHz);
    long start = Math.max(0, firstModel * down / up - margin);
    start = start / down * down; // on the model-rate grid: start * up / down is whole
    long end = Math.min(total, ((firstModel + maxModelSamples) * down + up - 1) / up + margin);
    return new Window(start, end, start / down * up, totalModel);
  }

  static final class Window {
    final long start;
    final long end;
    final long first;
    final long total;

    Window(long start, long end, long first, long total) {
      this.start = start;
      this.end = end;
      this.first = first;
      this.total = total;
    }
  }

  /** Samples decoded in one pass: those from {@code from} (up to a cap), and how many in all. */
  private static final class Decoded {
    float[] buffer = new float[16384];
    int kept;
    long total;
    int rateHz;

    float[] samples(int start, int end) {
      float[] out = new float[end - start];
      System.arraycopy(buffer, start, out, 0, end - start);
      return out;
    }
  }

  private Decoded run(File file, String name, long from, long to, int expectedRateHz)
      throws ClipError, IOException {
    MediaExtractor extractor = new MediaExtractor();
    try {
      try {
        extractor.setDataSource(file.getAbsolutePath());
      } catch (IOException e) {
        throw new ClipError(ErrorCodes.UNSUPPORTED_FORMAT, name + ": not an audio file Android can read");
      }
      MediaFormat format = null;
      for (int i = 0; i < extractor.getTrackCount() && format == null; i++) {
        MediaFormat candidate = extractor.getTrackFormat(i);
        String mime = candidate.getString(MediaFormat.KEY_MIME);
        if (mime != null && mime.startsWith("audio/")) {
          extractor.selectTrack(i);
          format = candidate;
        }
      }
      if (format == null) {
        throw new ClipError(ErrorCodes.UNSUPPORTED_FORMAT, name + ": no audio track");
      }
      String mime = format.getString(MediaFormat.KEY_MIME);
      MediaCodec codec;
      try {
        codec = MediaCodec.createDecoderByType(mime);
      } catch (IOException e) {
        throw new ClipError(ErrorCodes.UNSUPPORTED_FORMAT, name + ": no decoder for " + mime);
      } catch (IllegalArgumentException e) {
        throw new ClipError(ErrorCodes.UNSUPPORTED_FORMAT, name + ": no decoder for " + mime);
      }
      try {
        codec.configure(format, null, null, 0);
        codec.start();
        return drain(extractor, codec, format, name, from, to, expectedRateHz);
      } finally {
        codec.release();
      }
    } finally {
      extractor.release();
    }
  }

  private Decoded drain(
      MediaExtractor extractor,
      MediaCodec codec,
      MediaFormat format,
      String name,
      long from,
      long to,
      int expectedRateHz)
      throws ClipError {
    Decoded out = new Decoded();
    out.rateHz = format.getInteger(MediaFormat.KEY_SAMPLE_RATE);
    int channels = format.getInteger(MediaFormat.KEY_CHANNEL_COUNT);
    int encoding = format.containsKey(MediaFormat.KEY_PCM_ENCODING)
        ? format.getInteger(MediaFormat.KEY_PCM_ENCODING)
        : PCM_16BIT;
    long cap = from > 0 || to != Long.MAX_VALUE ? to - from : capSamples(out.rateHz);
    MediaCodec.BufferInfo info = new MediaCodec.BufferInfo();
    boolean inputDone = false;
    while (true) {
      if (System.nanoTime() > deadlineNanos || Thread.currentThread().isInterrupted()) {
        throw new ClipError(ErrorCodes.DECODE_FAILED, name + ": decoding took too long (the "
            + "phone's decoder did not finish in time)");
      }
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
        out.rateHz = output.getInteger(MediaFormat.KEY_SAMPLE_RATE);
        channels = output.getInteger(MediaFormat.KEY_CHANNEL_COUNT);
        if (output.containsKey(MediaFormat.KEY_PCM_ENCODING)) {
          encoding = output.getInteger(MediaFormat.KEY_PCM_ENCODING);
        }
      } else if (index >= 0) {
        ByteBuffer buffer = codec.getOutputBuffer(index);
        byte[] chunk = new byte[info.size];
        if (buffer != null) {
          buffer.position(info.offset);
          buffer.get(chunk);
        }
        codec.releaseOutputBuffer(index, false);
        keep(out, toMono(chunk, channels, encoding, name), from, cap);
        if ((info.flags & MediaCodec.BUFFER_FLAG_END_OF_STREAM) != 0) {
          break;
        }
      }
    }
    if (expectedRateHz > 0 && out.rateHz != expectedRateHz) {
      throw new ClipError(ErrorCodes.DECODE_FAILED, name + ": the decoder changed its rate");
    }
    return out;
  }

  /** The most samples pass 1 keeps: twice the model's length, plus margins. */
  private long capSamples(int rateHz) {
    return 2 * (maxModelSamples * rateHz / modelRateHz) + 2 * (long) Math.ceil(MARGIN_SECONDS * rateHz);
  }

  private static void keep(Decoded out, float[] mono, long from, long cap) {
    for (float sample : mono) {
      long at = out.total++ - from;
      if (at < 0 || out.kept >= cap) {
        continue;
      }
      if (out.kept == out.buffer.length) {
        float[] bigger = new float[(int) Math.min(cap, 2L * out.buffer.length)];
        System.arraycopy(out.buffer, 0, bigger, 0, out.kept);
        out.buffer = bigger;
      }
      out.buffer[out.kept++] = sample;
    }
  }

  /** Interleaved PCM in any of the raw encodings -> mono float in [-1, 1], channels averaged. */
  static float[] toMono(byte[] interleaved, int channels, int encoding, String name)
      throws ClipError {
    int width;
    switch (encoding) {
      case PCM_8BIT:
        width = 1;
        break;
      case PCM_16BIT:
        width = 2;
        break;
      case PCM_24BIT_PACKED:
        width = 3;
        break;
      case PCM_32BIT:
      case PCM_FLOAT:
        width = 4;
        break;
      default:
        throw new ClipError(
            ErrorCodes.UNSUPPORTED_FORMAT, name + ": the decoder gives PCM encoding " + encoding);
    }
    if (channels < 1) {
      throw new ClipError(ErrorCodes.UNSUPPORTED_FORMAT, name + ": " + channels + " channels");
    }
    ByteBuffer in = ByteBuffer.wrap(interleaved).order(ByteOrder.LITTLE_ENDIAN);
    int frames = interleaved.length / (width * channels);
    float[] out = new float[frames];
    for (int f = 0; f < frames; f++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        int at = (f * channels + c) * width;
        sum += sample(in, at, encoding);
      }
      out[f] = (float) (sum / channels);
    }
    return out;
  }

  private static double sample(ByteBuffer in, int at, int encoding) {
    switch (encoding) {
      case PCM_8BIT:
        return ((in.get(at) & 0xff) - 128) / 128.0;
      case PCM_16BIT:
        return in.getShort(at) / 32768.0;
      case PCM_24BIT_PACKED:
        int value = (in.get(at) & 0xff) | (in.get(at + 1) & 0xff) << 8 | in.get(at + 2) << 16;
        return value / 8388608.0;
      case PCM_32BIT:
        return in.getInt(at) / 2147483648.0;
      default:
        float x = in.getFloat(at);
        return Float.isNaN(x) ? 0 : Math.max(-1, Math.min(1, x));
    }
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
