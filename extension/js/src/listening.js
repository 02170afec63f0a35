/**
 * Continuous listening: PCM chunks in, the newest window out.
 *
 * Pure logic, no TF.js and no I/O: the caller feeds chunks of PCM at the
 * model's rate (from Android's AudioRecord through Java) and takes the newest
 * window that has fallen due whenever it is free to classify one. With window
 * W samples and OverlapFactor f (0 to 0.9), a window falls due every
 * hop = round(W * (1 - f)) samples once the first W samples have arrived:
 * f = 0.5 gives two windows a second for a 1 s window.
 *
 * A phone slower than the hop cannot classify every window. Only the newest
 * is kept: a window that falls due before the one before it was taken
 * replaces it, and counts as skipped. So listening stays live (a result is
 * never more than about one hop and one classification behind the sound),
 * and memory does not grow.
 */

/** OverlapFactor's allowed range (the designer and the block both check it). */
export const MAX_OVERLAP_FACTOR = 0.9;

export function hopSamples(windowSamples, overlapFactor) {
  if (!(overlapFactor >= 0 && overlapFactor <= MAX_OVERLAP_FACTOR)) {
    throw new Error(`OverlapFactor must be from 0 to ${MAX_OVERLAP_FACTOR}, got ${overlapFactor}`);
  }
  return Math.max(1, Math.round(windowSamples * (1 - overlapFactor)));
}

export class Listener {
  /**
   * @param {number} windowSamples samples per classified window
   * @param {number} overlapFactor 0 to MAX_OVERLAP_FACTOR
   */
  constructor(windowSamples, overlapFactor) {
    this.windowSamples = windowSamples;
    this.hop = hopSamples(windowSamples, overlapFactor);
    this.ring = new Float32Array(windowSamples); // the last windowSamples samples
    this.next = 0; // where the next sample goes in the ring
    this.received = 0; // samples received in all
    this.nextDue = windowSamples; // sample count at which the next window is due
    this.due = 0; // windows fallen due so far; the newest is number due - 1
    this.latest = null; // the newest window not yet taken
    this.taken = -1; // the number of the last window taken
    this.skipped = 0; // windows that fell due and were replaced before being taken
  }

  /**
   * Adds a chunk.
   * @param {Float32Array} chunk
   * @returns {number} how many windows fell due in it
   */
  push(chunk) {
    let fell = 0;
    let offset = 0;
    while (offset < chunk.length) {
      // Copy up to the next due point (or the chunk's end) in at most two ring pieces.
      const take = Math.min(chunk.length - offset, this.nextDue - this.received);
      for (let copied = 0; copied < take; ) {
        const piece = Math.min(take - copied, this.windowSamples - this.next);
        this.ring.set(chunk.subarray(offset + copied, offset + copied + piece), this.next);
        this.next = (this.next + piece) % this.windowSamples;
        copied += piece;
      }
      offset += take;
      this.received += take;
      if (this.received === this.nextDue) {
        if (this.latest !== null) this.skipped += 1; // replaced before anyone took it
        const window = new Float32Array(this.windowSamples);
        window.set(this.ring.subarray(this.next), 0);
        window.set(this.ring.subarray(0, this.next), this.windowSamples - this.next);
        this.latest = { number: this.due, samples: window };
        this.due += 1;
        this.nextDue += this.hop;
        fell += 1;
      }
    }
    return fell;
  }

  /**
   * The newest window that fell due and was not taken yet, or null.
   * @returns {{number: number, samples: Float32Array} | null}
   */
  takeLatest() {
    const latest = this.latest;
    this.latest = null;
    if (latest !== null) this.taken = latest.number;
    return latest;
  }
}
