package org.pac.classifier;

import android.media.AudioFormat;
import android.media.AudioRecord;
import android.media.MediaRecorder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Records the microphone natively with AudioRecord (mono, 16-bit, at the model's rate) on its
 * own thread and hands over chunks of about 0.1 s as 16-bit little-endian PCM. The AudioRecord
 * is released whatever happens (a failed start included), so the microphone is never left
 * held and the next StartListening can open it again.
 */
final class Recorder implements Runnable {
  interface Listener {
    void onChunk(byte[] pcm16);

    void onFailure(String message);
  }

  private final int rateHz;
  private final int chunkSamples;
  private final Listener listener;
  private volatile boolean running;
  private Thread thread;

  Recorder(int rateHz, Listener listener) {
    this.rateHz = rateHz;
    this.chunkSamples = rateHz / 10;
    this.listener = listener;
  }

  void start() {
    running = true;
    thread = new Thread(this, "PersonalAudioClassifier-recorder");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops recording; returns once the recording thread has ended (or after 1 s). */
  void stop() {
    running = false;
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    AudioRecord record = null;
    try {
      int minimum =
          AudioRecord.getMinBufferSize(
              rateHz, AudioFormat.CHANNEL_IN_MONO, AudioFormat.ENCODING_PCM_16BIT);
      record =
          new AudioRecord(
              MediaRecorder.AudioSource.MIC,
              rateHz,
              AudioFormat.CHANNEL_IN_MONO,
              AudioFormat.ENCODING_PCM_16BIT,
              Math.max(minimum, 4 * chunkSamples * 2));
      if (record.getState() != AudioRecord.STATE_INITIALIZED) {
        listener.onFailure("the microphone could not be opened at " + rateHz + " Hz");
        return;
      }
      record.startRecording();
      if (record.getRecordingState() != AudioRecord.RECORDSTATE_RECORDING) {
        listener.onFailure("the microphone did not start: another app may be using it");
        return;
      }
      short[] chunk = new short[chunkSamples];
      int filled = 0;
      while (running) {
        int n = record.read(chunk, filled, chunkSamples - filled);
        if (n < 0) {
          listener.onFailure("the microphone stopped delivering audio (error " + n + ")");
          return;
        }
        filled += n;
        if (filled == chunkSamples) {
          ByteBuffer bytes = ByteBuffer.allocate(2 * chunkSamples).order(ByteOrder.LITTLE_ENDIAN);
          bytes.asShortBuffer().put(chunk);
          listener.onChunk(bytes.array());
          filled = 0;
        }
      }
    } catch (Throwable t) { // a thread of our own: nothing else would report it
      listener.onFailure("the microphone could not be used: " + t);
    } finally {
      if (record != null) {
        try {
          record.stop();
        } catch (IllegalStateException notRecording) {
          // a start that failed: releasing is what matters
        }
        record.release();
      }
    }
  }
}
