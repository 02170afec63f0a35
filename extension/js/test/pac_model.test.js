import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { useBackend } from '../src/backend.js';
import { loadModelDir, readModelDir, readPcmF32File } from '../src/node_io.js';
import {
  classify,
  concatWeightBuffers,
  loadModelFromFiles,
  predictProbabilities,
  validateMetadata,
} from '../src/pac_model.js';
import {
  FIXTURE_INPUT_PATH,
  FIXTURE_MODEL_DIR,
  PARITY_TOLERANCE,
  SKIP_NO_FIXTURE,
  maxAbsDiff,
  readExpected,
} from './fixture.js';

/** Complete metadata, as `pac train` writes it (docs/metadata.md). */
const GOOD_METADATA = Object.freeze({
  format: 'pac-model',
  format_version: 1,
  labels: ['chirp', 'noise', 'tone'],
  sample_rate_hz: 16000,
  window_seconds: 1.0,
  window_samples: 16000,
  input: { name: 'pcm', shape: [null, 16000], dtype: 'float32', range: [-1.0, 1.0] },
  output: { name: 'probabilities', shape: [null, 3], dtype: 'float32' },
  preprocessing: { mono: 'mean of channels' },
  backbone: { name: 'speech-embedding' },
  training: {},
  created_at: '2026-11-30T10:00:00+00:00',
  tool: { name: 'pac', version: '0.1.0' },
});

function withMetadata(changes) {
  return { ...structuredClone(GOOD_METADATA), ...changes };
}

describe('validateMetadata', () => {
  it('accepts complete metadata', () => {
    assert.deepEqual(validateMetadata(GOOD_METADATA), {
      labels: ['chirp', 'noise', 'tone'],
      sampleRateHz: 16000,
      windowSamples: 16000,
      windowSeconds: 1.0,
    });
  });

  // The same wording as model_export/model_folder/metadata.py: both read metadata.schema.json.
  const cases = [
    [{ format_version: 2 }, "field 'format_version' is 2; this runtime reads format_version 1"],
    [{ format_version: '1' }, "field 'format_version' is \"1\"; this runtime reads format_version 1"],
    [{ format_version: undefined }, "field 'format_version' is undefined; this runtime reads format_version 1"],
    [{ format: 'other' }, 'field \'format\' must be "pac-model", got "other"'],
    [{ labels: [] }, "field 'labels' must list at least 2 non-empty strings"],
    [{ labels: ['clap'] }, "field 'labels' must list at least 2 non-empty strings"],
    [{ labels: 'clap' }, "field 'labels' has the wrong type"],
    [{ labels: ['a', 3] }, "field 'labels' must list at least 2 non-empty strings"],
    [{ labels: ['a', ''] }, "field 'labels' must list at least 2 non-empty strings"],
    [{ labels: ['a', 'a'] }, "field 'labels' has duplicates"],
    [{ sample_rate_hz: 0 }, "field 'sample_rate_hz' is invalid: must be >= 1"],
    [{ window_samples: 1600.5 }, "field 'window_samples' has the wrong type"],
    [{ window_samples: 8000 }, "field 'window_samples' (8000) does not match window_seconds x sample_rate_hz"],
    [{ training: undefined }, "missing field 'training'"],
    [{ tool: 'pac' }, "field 'tool' has the wrong type"],
  ];
  for (const [changes, problem] of cases) {
    it(`names the problem: ${problem}`, () => {
      assert.throws(() => validateMetadata(withMetadata(changes)), {
        message: `metadata.json: ${problem}`,
      });
    });
  }

  it('rejects a document that is not an object', () => {
    assert.throws(() => validateMetadata([]), {
      message: 'metadata.json: expected a JSON object, got array',
    });
  });
});

describe('concatWeightBuffers', () => {
  it('joins ArrayBuffers and views in order', () => {
    const a = new Uint8Array([1, 2]).buffer;
    const b = new Uint8Array([0, 3, 4, 0]).subarray(1, 3);
    assert.deepEqual([...new Uint8Array(concatWeightBuffers([a, b]))], [1, 2, 3, 4]);
  });
});

describe('PAC model on the converted fixture', { skip: SKIP_NO_FIXTURE }, () => {
  let files;
  let model;
  let clips;
  let expected;

  before(async () => {
    tf.env().set('PROD', true); // no "install tfjs-node" banner
    await useBackend('wasm'); // the real model: ~35 ms a clip, against ~900 ms on 'cpu'
    files = await readModelDir(FIXTURE_MODEL_DIR);
    model = await loadModelDir(FIXTURE_MODEL_DIR);
    expected = readExpected();
    clips = await readPcmF32File(FIXTURE_INPUT_PATH, model.windowSamples);
  });

  it('loads with metadata and signature names', () => {
    assert.deepEqual(model.labels, ['chirp', 'noise', 'tone']);
    assert.equal(model.windowSamples, 16000);
    assert.equal(model.sampleRateHz, 16000);
    assert.equal(model.inputName, 'pcm');
    assert.equal(model.outputName, 'probabilities');
    assert.equal(clips.length, expected.n_clips);
  });

  it('matches Python (LiteRT) probabilities as a batch', () => {
    const probabilities = predictProbabilities(model, clips);
    assert.ok(maxAbsDiff(probabilities, expected.probabilities) < PARITY_TOLERANCE);
  });

  it('matches Python probabilities one clip at a time, and from a flat array', () => {
    const oneByOne = clips.map((clip) => predictProbabilities(model, [clip])[0]);
    assert.ok(maxAbsDiff(oneByOne, expected.probabilities) < PARITY_TOLERANCE);
    const flat = new Float32Array(clips.length * model.windowSamples);
    clips.forEach((clip, i) => flat.set(clip, i * model.windowSamples));
    assert.ok(maxAbsDiff(predictProbabilities(model, flat), expected.probabilities) < PARITY_TOLERANCE);
  });

  it('classify returns [label, confidence] pairs sorted by confidence', () => {
    clips.forEach((clip, c) => {
      const pairs = classify(model, clip);
      assert.equal(pairs.length, 3);
      for (const pair of pairs) {
        assert.equal(pair.length, 2);
        assert.equal(typeof pair[0], 'string');
        assert.equal(typeof pair[1], 'number');
      }
      for (let i = 1; i < pairs.length; i++) assert.ok(pairs[i - 1][1] >= pairs[i][1]);
      assert.deepEqual(pairs.map(([label]) => label).sort(), ['chirp', 'noise', 'tone']);
      const byLabel = Object.fromEntries(pairs);
      const inLabelOrder = model.labels.map((label) => byLabel[label]);
      assert.ok(maxAbsDiff([inLabelOrder], [expected.probabilities[c]]) < PARITY_TOLERANCE);
    });
    // Each held-out clip is recognised.
    expected.truth.forEach((label, c) => assert.equal(classify(model, clips[c])[0][0], label));
  });

  it('classify accepts a plain number array', () => {
    const pairs = classify(model, Array.from(clips[1]));
    assert.deepEqual(pairs, classify(model, clips[1]));
  });

  it('does not leak tensors over repeated calls', () => {
    classify(model, clips[0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      classify(model, clips[i % clips.length]);
      predictProbabilities(model, clips);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('rejects a window of the wrong length', () => {
    assert.throws(() => classify(model, new Float32Array(15999)), {
      message: 'PCM has 15999 samples, expected window_samples = 16000',
    });
    assert.throws(() => classify(model, new Float32Array(16001)), {
      message: 'PCM has 16001 samples, expected window_samples = 16000',
    });
    assert.throws(() => predictProbabilities(model, [clips[0], new Float32Array(10)]), {
      message: 'PCM window 1 has 10 samples, expected window_samples = 16000',
    });
    assert.throws(() => predictProbabilities(model, new Float32Array(20000)), {
      message: 'PCM batch has 20000 samples, expected a positive multiple of window_samples = 16000',
    });
  });

  it('fails to load when labels disagree with the model output', async () => {
    await assert.rejects(
      loadModelFromFiles(files.modelJson, files.weightBuffers, withMetadata({ labels: ['a', 'b'] })),
      { message: 'model output shape is [1,3], which does not match the 2 labels in metadata.json' },
    );
    await assert.rejects(
      loadModelFromFiles(
        files.modelJson,
        files.weightBuffers,
        withMetadata({ labels: ['a', 'b', 'c', 'd'] }),
      ),
      { message: 'model output shape is [1,3], which does not match the 4 labels in metadata.json' },
    );
  });

  it('fails to load on the wrong format_version', async () => {
    await assert.rejects(
      loadModelFromFiles(files.modelJson, files.weightBuffers, withMetadata({ format_version: 2 })),
      { message: "metadata.json: field 'format_version' is 2; this runtime reads format_version 1" },
    );
  });

  it('fails to load when window_samples disagrees with the model input', async () => {
    await assert.rejects(
      loadModelFromFiles(
        files.modelJson,
        files.weightBuffers,
        withMetadata({ window_samples: 24000, window_seconds: 1.5 }),
      ),
      { message: 'model input has 16000 samples per window, but metadata.json window_samples is 24000' },
    );
  });

  it('fails to load with the wrong number of weight shards', async () => {
    await assert.rejects(loadModelFromFiles(files.modelJson, [], GOOD_METADATA), {
      message: 'model.json lists 1 weight shard(s), got 0 buffer(s)',
    });
  });

  it('loads from the metadata.json on disk, as pac train wrote it', () => {
    assert.deepEqual(validateMetadata(files.metadata).labels, model.labels);
    assert.equal(files.metadata.tool.name, 'pac');
  });
});
