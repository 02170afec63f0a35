/**
 * Resampling to the model's rate: the contract's one definition, the same as
 * Python's model_export/audio/resample.py (docs/metadata.md, "Resampling").
 *
 * A Kaiser-windowed sinc evaluated exactly at each output sample's position,
 * coefficients and sums in float64 (JS numbers), the result rounded to
 * float32. For output k, tau = k * fromHz / toHz input samples and
 *
 *   y[k] = sum_j x[j] * h(tau - j)            (x[j] = 0 outside the clip)
 *   h(u) = c * sinc(c * u) * kaiser(u / W)    for |u| < W
 *   c = CUTOFF * min(fromHz, toHz) / fromHz,  W = ZERO_CROSSINGS * fromHz / min(fromHz, toHz)
 *
 * with n_out = ceil(n_in * toHz / fromHz). Python and JS agree to float32
 * rounding; the JS suite checks that on golden vectors that Python writes.
 */

/** The cutoff as a share of the lower rate's Nyquist frequency. */
export const CUTOFF = 0.99;
/** Half the filter's length, in periods of the lower rate. */
export const ZERO_CROSSINGS = 64;
/** The Kaiser window's shape (about 60 dB of stop-band attenuation). */
export const BETA = 5.65;

/** Rates a clip may have, in Hz. */
export const MIN_RATE_HZ = 1;
export const MAX_RATE_HZ = 384000;

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** I0 by its power series, summed until the terms stop mattering (as resample.py does). */
function besselI0(x) {
  const halfSq = (x / 2) ** 2;
  let term = 1;
  let total = 1;
  for (let k = 1; k < 200; k++) {
    term = (term * halfSq) / (k * k);
    total += term;
    if (term < 1e-17 * total) break;
  }
  return total;
}

function sinc(x) {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

const tables = new Map();

/** {table: Float64Array[up][taps], half, up, down, taps} for one pair of rates. */
function phaseTable(fromHz, toHz) {
  const key = `${fromHz}>${toHz}`;
  if (tables.has(key)) return tables.get(key);
  const g = gcd(fromHz, toHz);
  const up = toHz / g;
  const down = fromHz / g;
  const lowHz = Math.min(fromHz, toHz);
  const cutoff = (CUTOFF * lowHz) / fromHz;
  const width = (ZERO_CROSSINGS * fromHz) / lowHz;
  const half = Math.ceil(width);
  const taps = 2 * half + 1;
  const i0Beta = besselI0(BETA);
  const table = [];
  for (let p = 0; p < up; p++) {
    const row = new Float64Array(taps);
    for (let t = 0; t < taps; t++) {
      const u = p / up - (t - half);
      if (Math.abs(u) >= width) continue;
      const v = u / width;
      row[t] = cutoff * sinc(cutoff * u) * (besselI0(BETA * Math.sqrt(1 - v * v)) / i0Beta);
    }
    table.push(row);
  }
  const entry = { table, half, up, down, taps };
  if (tables.size > 16) tables.clear();
  tables.set(key, entry);
  return entry;
}

/** The output length: ceil(nIn * toHz / fromHz). */
export function outputLength(nIn, fromHz, toHz) {
  return Math.ceil((nIn * toHz) / fromHz);
}

/**
 * Resamples mono PCM.
 *
 * @param {Float32Array} samples mono PCM in [-1, 1]
 * @param {number} fromHz the clip's rate, an integer in [MIN_RATE_HZ, MAX_RATE_HZ]
 * @param {number} toHz the rate wanted (the model's sample_rate_hz)
 * @returns {Float32Array} the same samples when the rates are equal
 */
export function resample(samples, fromHz, toHz) {
  for (const [name, rate] of [
    ['sample rate', fromHz],
    ['target rate', toHz],
  ]) {
    if (!Number.isInteger(rate) || rate < MIN_RATE_HZ || rate > MAX_RATE_HZ) {
      throw new Error(
        `${name} must be an integer from ${MIN_RATE_HZ} to ${MAX_RATE_HZ} Hz, got ${rate}`,
      );
    }
  }
  if (fromHz === toHz || samples.length === 0) return samples;
  const { table, half, up, down, taps } = phaseTable(fromHz, toHz);
  const n = samples.length;
  const out = new Float32Array(outputLength(n, fromHz, toHz));
  for (let k = 0; k < out.length; k++) {
    // k * down = base * up + phase, with exact integer arithmetic.
    const position = k * down;
    const base = Math.floor(position / up);
    const row = table[position - base * up];
    const start = base - half; // x index of tap 0
    const first = Math.max(0, -start);
    const last = Math.min(taps, n - start);
    let sum = 0;
    for (let t = first; t < last; t++) sum += samples[start + t] * row[t];
    out[k] = sum;
  }
  return out;
}
