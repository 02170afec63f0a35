/**
 * Continuous listening: PCM chunks in, one window classified every hop.
 *
 * Pure logic, no TF.js and no I/O: the caller feeds chunks of 16-bit PCM at
 * the model's rate (from Android's AudioRecord through Java) and gets back the
 * windows to classify. With window W samples and OverlapFactor f (0 to 0.9),
 * a window is due every hop = round(W * (1 - f)) samples once the first W
 * samples have arrived: f = 0.5 gives two windows a second for a 1 s window.
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
  }

  /**
   * Adds a chunk; returns the windows that fell due (copies, oldest first).
   * @param {Float32Array} chunk
   * @returns {Float32Array[]}
   */
  push(chunk) {
    const due = [];
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
        const window = new Float32Array(this.windowSamples);
        window.set(this.ring.subarray(this.next), 0);
        window.set(this.ring.subarray(0, this.next), this.windowSamples - this.next);
        due.push(window);
        this.nextDue += this.hop;
      }
    }
    return due;
  }
}
