import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
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
      'predict: expected MODEL_DIR and at least one CLIP.f32, got 1 argument(s)\n' +
        'usage: node predict.mjs MODEL_DIR CLIP.f32... [--rate HZ] [--backend cpu|wasm] ' +
        '[--repeat N]\n',
    );
  });

  it('rejects an unknown backend and a bad --repeat', async () => {
    let r = await runCli(['m', 'x.f32', '--backend', 'webgl']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^predict: --backend must be one of cpu, wasm, got "webgl"\n/);
    r = await runCli(['m', 'x.f32', '--repeat', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^predict: --repeat must be a positive integer, got "0"\n/);
    r = await runCli(['m', 'x.f32', '--rate', '8k']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^predict: --rate must be a whole number of Hz, got "8k"\n/);
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
      // The pure-JS cpu backend takes about a second a clip: give it two.
      const clips = expected.clips
        .filter((c) => c.rate_hz === 16000)
        .slice(0, backend === 'cpu' ? 2 : undefined);
      const { code, stdout, stderr } = await runCli([
        FIXTURE_MODEL_DIR,
        ...clips.map((c) => c.path),
        '--backend',
        backend,
        '--repeat',
        backend === 'cpu' ? '1' : '3',
      ]);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout.trim().split('\n').length, 1);
      const result = JSON.parse(stdout);
      assert.deepEqual(Object.keys(result), ['backend', 'labels', 'probabilities', 'timing_ms']);
      assert.equal(result.backend, backend);
      assert.deepEqual(result.labels, expected.labels);
      const python = clips.map((c) => c.probabilities);
      assert.ok(maxAbsDiff(result.probabilities, python) < PARITY_TOLERANCE);
      const timing = result.timing_ms;
      assert.deepEqual(Object.keys(timing), ['load', 'per_clip', 'median_per_clip']);
      assert.equal(timing.per_clip.length, clips.length);
      for (const ms of [timing.load, timing.median_per_clip, ...timing.per_clip]) {
        assert.ok(Number.isFinite(ms) && ms >= 0);
      }
    });
  }

  it('resamples a clip at another --rate, as the phone does', async () => {
    const clip = readExpected().clips.find((c) => c.rate_hz !== 16000);
    const { code, stdout, stderr } = await runCli([
      FIXTURE_MODEL_DIR, clip.path, '--rate', String(clip.rate_hz), '--backend', 'wasm',
    ]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const [row] = JSON.parse(stdout).probabilities;
    assert.ok(maxAbsDiff([row], [clip.probabilities]) < PARITY_TOLERANCE);
  });

  it('rejects an input that is not a whole number of float32 samples', async () => {
    const bad = path.join(tmp, 'bad.f32');
    writeFileSync(bad, Buffer.alloc(101));
    const { code, stdout, stderr } = await runCli([FIXTURE_MODEL_DIR, bad]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `predict: input file ${bad} has 101 bytes, which is not a whole number of 4-byte ` +
        'float32 samples\n',
    );
  });
});
