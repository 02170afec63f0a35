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
    it(`gives ${expected} windows of 1 s in 5 s of audio at OverlapFactor ${overlap}`, () => {
      const listener = new Listener(16000, overlap);
      let windows = 0;
      for (let k = 0; k < 50; k++) windows += listener.push(new Float32Array(1600)).length;
      assert.equal(windows, expected);
    });
  }

  it('returns the newest window, in order, whatever the chunk sizes', () => {
    const listener = new Listener(10, 0.5); // hop 5
    const due = [];
    let t = 0;
    for (const size of [3, 9, 1, 7, 12]) {
      due.push(...listener.push(ramp(t, size)));
      t += size;
    }
    // 32 samples: windows end after samples 10, 15, 20, 25 and 30.
    assert.deepEqual(due.map((w) => Array.from(w)), [
      Array.from(ramp(0, 10)),
      Array.from(ramp(5, 10)),
      Array.from(ramp(10, 10)),
      Array.from(ramp(15, 10)),
      Array.from(ramp(20, 10)),
    ]);
  });

  it('refuses an OverlapFactor outside 0 to 0.9', () => {
    for (const bad of [-0.1, 0.95, Number.NaN]) {
      assert.throws(() => hopSamples(16000, bad), {
        message: `OverlapFactor must be from 0 to ${MAX_OVERLAP_FACTOR}, got ${bad}`,
      });
    }
  });
});
