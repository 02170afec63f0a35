/**
 * Band-limited resampling to the model's rate: the one place it happens on
 * the phone (Java only decodes to PCM and passes its sample rate along).
 *
 * libsamplerate (@alexanderolsen/libsamplerate-js, WebAssembly) with its
 * SRC_SINC_FASTEST converter: a windowed-sinc filter with 97 dB of stop-band
 * attenuation and a pass band of 80% of the lower Nyquist rate, which at
 * 16 kHz is 6.4 kHz, well above the 3.8 kHz the model's mel filters reach.
 * The Python side uses soxr; on the same file the two give probabilities
 * that differ by well under 0.01.
 */
import libsamplerate from '@alexanderolsen/libsamplerate-js';

/** The libsamplerate converter used, by its libsamplerate name. */
export const CONVERTER = 'SRC_SINC_FASTEST';

/** Rates a clip may have, in Hz (libsamplerate's own range). */
export const MIN_RATE_HZ = 1;
export const MAX_RATE_HZ = 192000;

const converters = new Map();

async function converter(fromHz, toHz) {
  const key = `${fromHz}>${toHz}`;
  if (!converters.has(key)) {
    converters.set(
      key,
      libsamplerate.create(1, fromHz, toHz, {
        converterType: libsamplerate.ConverterType[CONVERTER],
      }),
    );
  }
  return converters.get(key);
}

/**
 * Resamples mono PCM.
 *
 * @param {Float32Array} samples mono PCM in [-1, 1]
 * @param {number} fromHz the clip's rate, an integer in [MIN_RATE_HZ, MAX_RATE_HZ]
 * @param {number} toHz the rate wanted (the model's sample_rate_hz)
 * @returns {Promise<Float32Array>} the same samples when the rates are equal
 */
export async function resample(samples, fromHz, toHz) {
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
  const src = await converter(fromHz, toHz);
  return src.simple(samples);
}
