/**
 * Locations of the converted test fixture built by make_fixture.py.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '.fixture');
export const FIXTURE_MODEL_DIR = path.join(FIXTURE_DIR, 'model');
export const FIXTURE_EXPECTED_PATH = path.join(FIXTURE_DIR, 'expected.json');

/**
 * Agreement required between Python (LiteRT) and TF.js probabilities. Logits of order 10
 * come out of some 20 float32 conv layers whose sums each backend adds in its own order,
 * so they agree to about 1e-5 relative; a softmax that is not saturated (digital silence
 * gives 0.57 / 0.43 here) passes that on as up to 1e-5 in probability. 1e-4 holds on any
 * CPU; a wrong op or weight moves probabilities by far more.
 */
export const PARITY_TOLERANCE = 1e-4;

/** Skip reason for node:test, or false when the fixture is present. */
export const SKIP_NO_FIXTURE = existsSync(FIXTURE_EXPECTED_PATH)
  ? false
  : `fixture missing: ${FIXTURE_DIR} (run \`npm test\`, which builds it with ` +
    '.venv/bin/python test/make_fixture.py)';

/**
 * Agreement required between Python's and JS's resampler (one definition, docs/metadata.md):
 * both sum in float64 and round to float32, so they differ by at most a float32 rounding step
 * of the samples (6e-8 near 1). 1e-6 holds on any CPU; another filter differs by 1e-3 or more.
 */
export const RESAMPLING_TOLERANCE = 1e-6;

/**
 * @returns {{labels: string[], clips: Array<{file: string, rate_hz: number, samples: number,
 *     truth: string|null, probabilities: number[], path: string}>}}
 */
export function readExpected() {
  const expected = JSON.parse(readFileSync(FIXTURE_EXPECTED_PATH, 'utf8'));
  for (const clip of expected.clips) clip.path = path.join(FIXTURE_DIR, clip.file);
  return expected;
}

export function maxAbsDiff(a, b) {
  const fa = a.flat();
  const fb = b.flat();
  if (fa.length !== fb.length) return Infinity;
  return Math.max(...fa.map((v, i) => Math.abs(v - fb[i])));
}
