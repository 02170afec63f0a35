import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  FIXTURE_INPUT_PATH,
  FIXTURE_MODEL_DIR,
  PARITY_TOLERANCE,
  SKIP_NO_FIXTURE,
  maxAbsDiff,
  readExpected,
} from './fixture.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'predict.mjs');

async function runCli(args) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('predict.mjs usage errors', () => {
  it('exits 1 with one line naming the problem, plus usage', async () => {
    const { code, stdout, stderr } = await runCli(['only-one-arg']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      'predict: expected MODEL_DIR and INPUT.f32, got 1 argument(s)\n' +
        'usage: node predict.mjs MODEL_DIR INPUT.f32 [--backend cpu|wasm] [--repeat N]\n',
    );
  });

  it('rejects an unknown backend and a bad --repeat', async () => {
    let r = await runCli(['m', 'x.f32', '--backend', 'webgl']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^predict: --backend must be one of cpu, wasm, got "webgl"\n/);
    r = await runCli(['m', 'x.f32', '--repeat', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^predict: --repeat must be a positive integer, got "0"\n/);
  });

  it('names a missing model.json', async () => {
    const { code, stdout, stderr } = await runCli(['/nonexistent-model-dir', 'x.f32']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'predict: model.json not found: /nonexistent-model-dir/model.json\n');
  });
});

describe('predict.mjs on the converted fixture', { skip: SKIP_NO_FIXTURE }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'pac-predict-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const backend of ['cpu', 'wasm']) {
    it(`prints one JSON object matching Python (${backend})`, async () => {
      const expected = readExpected();
      const { code, stdout, stderr } = await runCli([
        FIXTURE_MODEL_DIR,
        FIXTURE_INPUT_PATH,
        '--backend',
        backend,
        '--repeat',
        backend === 'cpu' ? '1' : '3', // the pure-JS backend takes about a second a clip
      ]);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout.trim().split('\n').length, 1);
      const result = JSON.parse(stdout);
      assert.deepEqual(Object.keys(result), ['backend', 'labels', 'probabilities', 'timing_ms']);
      assert.equal(result.backend, backend);
      assert.deepEqual(result.labels, expected.labels);
      assert.ok(maxAbsDiff(result.probabilities, expected.probabilities) < PARITY_TOLERANCE);
      const timing = result.timing_ms;
      assert.deepEqual(Object.keys(timing), ['load', 'per_clip', 'median_per_clip']);
      assert.equal(timing.per_clip.length, expected.n_clips);
      for (const ms of [timing.load, timing.median_per_clip, ...timing.per_clip]) {
        assert.ok(Number.isFinite(ms) && ms >= 0);
      }
    });
  }

  it('rejects an input that is not a whole number of windows', async () => {
    const bad = path.join(tmp, 'bad.f32');
    writeFileSync(bad, Buffer.alloc(100));
    const { code, stdout, stderr } = await runCli([FIXTURE_MODEL_DIR, bad]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `predict: input file ${bad} has 100 bytes, expected a positive multiple of 64000 ` +
        '(window_samples 16000 x 4-byte float32)\n',
    );
  });
});
