// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

/**
 * "Records" the samples in {@link #source}, then waits. Test hooks: {@link #failInit} (the
 * state stays STATE_UNINITIALIZED, as when the microphone cannot be opened), {@link
 * #failStart} (startRecording throws IllegalStateException, as Android's does for a record
 * that is not initialized, and when another app holds the microphone it does not record),
 * {@link #open} (records made and not yet released).
 */
public class AudioRecord {
  public static final int STATE_UNINITIALIZED = 0;
  public static final int STATE_INITIALIZED = 1;
  public static final int RECORDSTATE_STOPPED = 1;
  public static final int RECORDSTATE_RECORDING = 3;
  public static volatile short[] source = new short[0];
  public static volatile int openedRateHz;
  public static volatile boolean failInit;
  public static volatile boolean failStart;
  public static final java.util.concurrent.atomic.AtomicInteger open =
      new java.util.concurrent.atomic.AtomicInteger();

  private final boolean initialized;
  private int position;
  private volatile boolean recording;
  private boolean released;

  public AudioRecord(
      int audioSource, int sampleRateInHz, int channelConfig, int audioFormat, int bufferSizeInBytes) {
    openedRateHz = sampleRateInHz;
    initialized = !failInit;
    open.incrementAndGet();
  }

  public static int getMinBufferSize(int sampleRateInHz, int channelConfig, int audioFormat) {
    return 3200;
  }

  public int getState() {
    return initialized ? STATE_INITIALIZED : STATE_UNINITIALIZED;
  }

  public int getRecordingState() {
    return recording ? RECORDSTATE_RECORDING : RECORDSTATE_STOPPED;
  }

  public void startRecording() {
    if (!initialized || failStart) {
      throw new IllegalStateException("startRecording() called on an uninitialized AudioRecord.");
    }
    recording = true;
  }

  public int read(short[] audioData, int offsetInShorts, int sizeInShorts) {
    short[] samples = source;
    if (!recording || position >= samples.length) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
    int n = Math.min(sizeInShorts, samples.length - position);
    System.arraycopy(samples, position, audioData, offsetInShorts, n);
    position += n;
    return n;
  }

  public void stop() {
    if (!initialized) {
      throw new IllegalStateException("stop() called on an uninitialized AudioRecord.");
    }
    recording = false;
  }

  public void release() {
    if (!released) {
      released = true;
      open.decrementAndGet();
    }
  }
}
