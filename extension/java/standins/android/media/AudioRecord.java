// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.media;

/** For the tests: "records" the samples in {@link #source}, then silence-free waits. */
public class AudioRecord {
  public static final int STATE_INITIALIZED = 1;
  public static volatile short[] source = new short[0];
  public static volatile int openedRateHz;

  private int position;
  private volatile boolean recording;

  public AudioRecord(
      int audioSource, int sampleRateInHz, int channelConfig, int audioFormat, int bufferSizeInBytes) {
    openedRateHz = sampleRateInHz;
  }

  public static int getMinBufferSize(int sampleRateInHz, int channelConfig, int audioFormat) {
    return 3200;
  }

  public int getState() {
    return STATE_INITIALIZED;
  }

  public void startRecording() {
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
    recording = false;
  }

  public void release() {}
}
