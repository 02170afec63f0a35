import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Listener, MAX_OVERLAP_FACTOR, hopSamples } from '../src/listening.js';

function ramp(start, n) {
  return Float32Array.from({ length: n }, (_, i) => start + i);
}

describe('Listener', () => {
  for (const [overlap, expected] of [
    [0, 5],
    [0.5, 9],
    [0.75, 17],
    [0.9, 41],
  ]) {
    it(`has ${expected} windows of 1 s fall due in 5 s of audio at OverlapFactor ${overlap}`, () => {
      const listener = new Listener(16000, overlap);
      let windows = 0;
      for (let k = 0; k < 50; k++) {
        windows += listener.push(new Float32Array(1600));
        listener.takeLatest(); // a page that keeps up
      }
      assert.equal(windows, expected);
      assert.equal(listener.skipped, 0);
    });
  }

  it('gives the newest window, whatever the chunk sizes, when taken after each chunk', () => {
    const listener = new Listener(10, 0.5); // hop 5
    const taken = [];
    let t = 0;
    for (const size of [3, 9, 1, 7, 12]) {
      listener.push(ramp(t, size));
      t += size;
      const window = listener.takeLatest();
      if (window !== null) taken.push([window.number, Array.from(window.samples)]);
    }
    // 32 samples: windows end after samples 10, 15, 20, 25 and 30. The chunk of 7 (to sample
    // 20) makes windows 1 and 2 fall due, the chunk of 12 windows 3 and 4: the newest of each
    // pair is taken, the other skipped.
    assert.deepEqual(taken, [
      [0, Array.from(ramp(0, 10))],
      [2, Array.from(ramp(10, 10))],
      [4, Array.from(ramp(20, 10))],
    ]);
    assert.equal(listener.skipped, 2);
  });

  it('keeps only the newest window while nobody takes one', () => {
    const listener = new Listener(16000, 0.9); // a window every 1600 samples
    for (let k = 0; k < 30; k++) listener.push(ramp(k * 1600, 1600)); // 3 s, nothing taken
    const window = listener.takeLatest();
    assert.equal(window.number, 20); // windows 0..20 fell due
    assert.equal(window.samples[0], 20 * 1600);
    assert.equal(listener.skipped, 20);
    assert.equal(listener.takeLatest(), null);
  });

  it('refuses an OverlapFactor outside 0 to 0.9', () => {
    for (const bad of [-0.1, 0.95, Number.NaN]) {
      assert.throws(() => hopSamples(16000, bad), {
        message: `OverlapFactor must be from 0 to ${MAX_OVERLAP_FACTOR}, got ${bad}`,
      });
    }
  });
});
