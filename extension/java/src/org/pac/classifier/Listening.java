package org.pac.classifier;

/**
 * The ids of listening's messages: "listening-S-N" for window N of listening session S, and
 * "listening-S" for a session's own Error. Each StartListening (and each restart after a
 * pause or a property change) is a new session, so a window of a session that has stopped is
 * recognised and dropped, whatever was still on its way.
 */
final class Listening {
  static final String PREFIX = "listening-";

  private Listening() {}

  /**
   * Flow control of the microphone's audio to the page: one listenChunk at a time. Audio
   * recorded while the page is busy (classifying a window) is gathered, and goes in one call
   * as soon as the page says it is done (ListenChunkDone). So nothing queues up in the page,
   * however slow the phone, and the page classifies the newest window. Gathered audio beyond
   * {@code maxBytes} (a page that stopped answering) loses its oldest part.
   */
  static final class Outbox {
    private final int maxBytes;
    private byte[] gathered = new byte[0];
    private boolean busy;

    Outbox(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    /** A chunk was recorded: the bytes to send now, or null when the page is busy. */
    synchronized byte[] offer(byte[] chunk) {
      int keep = Math.min(maxBytes - chunk.length, gathered.length);
      byte[] joined = new byte[Math.max(0, keep) + chunk.length];
      System.arraycopy(gathered, gathered.length - Math.max(0, keep), joined, 0, Math.max(0, keep));
      System.arraycopy(chunk, 0, joined, Math.max(0, keep), chunk.length);
      gathered = joined;
      return busy ? null : take();
    }

    /** The page is done with the last call: what gathered meanwhile, or null (now idle). */
    synchronized byte[] done() {
      busy = false;
      return gathered.length == 0 ? null : take();
    }

    private byte[] take() {
      byte[] out = gathered;
      gathered = new byte[0];
      busy = true;
      return out;
    }
  }

  /** The session of a listening id, or -1 for any other id (a clip's, or none). */
  static int session(String id) {
    if (id == null || !id.startsWith(PREFIX)) {
      return -1;
    }
    String rest = id.substring(PREFIX.length());
    int dash = rest.indexOf('-');
    try {
      return Integer.parseInt(dash < 0 ? rest : rest.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether a message with this id belongs to a listening that is no longer the current one. */
  static boolean isStale(String id, int currentSession) {
    int of = session(id);
    return of != -1 && of != currentSession;
  }
}
