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

const GOOD_METADATA = Object.freeze({
  format: 'pac-model',
  format_version: 1,
  labels: ['clap', 'silence', 'whistle'],
  sample_rate_hz: 16000,
  window_samples: 1600,
  window_seconds: 0.1,
});

function withMetadata(changes) {
  return { ...structuredClone(GOOD_METADATA), ...changes };
}

describe('validateMetadata', () => {
  it('accepts the contract and returns camelCase fields', () => {
    assert.deepEqual(validateMetadata(GOOD_METADATA), {
      labels: ['clap', 'silence', 'whistle'],
      sampleRateHz: 16000,
      windowSamples: 1600,
      windowSeconds: 0.1,
    });
  });

  const cases = [
    [{ format_version: 2 }, 'metadata.json: format_version is 2, expected 1'],
    [{ format_version: '1' }, 'metadata.json: format_version is "1", expected 1'],
    [{ format_version: undefined }, 'metadata.json: format_version is undefined, expected 1'],
    [{ format: 'other' }, 'metadata.json: format is "other", expected "pac-model"'],
    [{ labels: [] }, 'metadata.json: labels must be an array of at least 2 labels, found []'],
    [{ labels: ['clap'] }, 'metadata.json: labels must be an array of at least 2 labels, found ["clap"]'],
    [{ labels: 'clap' }, 'metadata.json: labels must be an array of at least 2 labels, found "clap"'],
    [{ labels: ['a', 3] }, 'metadata.json: labels[1] must be a non-empty string, found 3'],
    [{ labels: ['a', 'a'] }, 'metadata.json: labels must be unique, found ["a","a"]'],
    [
      { sample_rate_hz: 0 },
      'metadata.json: sample_rate_hz must be a positive integer, found 0',
    ],
    [
      { window_samples: 1600.5 },
      'metadata.json: window_samples must be a positive integer, found 1600.5',
    ],
    [
      { window_seconds: 1.0 },
      'metadata.json: window_seconds is 1, expected window_samples / sample_rate_hz = 0.1',
    ],
  ];
  for (const [changes, message] of cases) {
    it(`rejects ${JSON.stringify(changes)}`, () => {
      assert.throws(() => validateMetadata(withMetadata(changes)), { message });
    });
  }

  it('rejects a non-object', () => {
    assert.throws(() => validateMetadata([]), { message: 'metadata.json: expected a JSON object' });
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
    await useBackend('cpu');
    files = await readModelDir(FIXTURE_MODEL_DIR);
    model = await loadModelDir(FIXTURE_MODEL_DIR);
    expected = readExpected();
    clips = await readPcmF32File(FIXTURE_INPUT_PATH, model.windowSamples);
  });

  it('loads with metadata and signature names', () => {
    assert.deepEqual(model.labels, ['clap', 'silence', 'whistle']);
    assert.equal(model.windowSamples, 1600);
    assert.equal(model.sampleRateHz, 16000);
    assert.equal(model.inputName, 'pcm');
    assert.equal(model.outputName, 'Identity');
    assert.equal(clips.length, expected.n_clips);
  });

  it('matches Keras probabilities as a batch', () => {
    const probabilities = predictProbabilities(model, clips);
    assert.ok(maxAbsDiff(probabilities, expected.probabilities) < PARITY_TOLERANCE);
  });

  it('matches Keras probabilities one clip at a time, and from a flat array', () => {
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
      assert.deepEqual(pairs.map(([label]) => label).sort(), ['clap', 'silence', 'whistle']);
      const byLabel = Object.fromEntries(pairs);
      const inLabelOrder = model.labels.map((label) => byLabel[label]);
      assert.ok(maxAbsDiff([inLabelOrder], [expected.probabilities[c]]) < PARITY_TOLERANCE);
    });
    // Golden order for clip 0 (Keras: clap 0.684, silence 0.184, whistle 0.132).
    assert.deepEqual(classify(model, clips[0]).map(([label]) => label), ['clap', 'silence', 'whistle']);
    assert.deepEqual(classify(model, clips[2]).map(([label]) => label), ['whistle', 'silence', 'clap']);
  });

  it('classify accepts a plain number array', () => {
    const pairs = classify(model, Array.from(clips[1]));
    assert.deepEqual(pairs, classify(model, clips[1]));
  });

  it('does not leak tensors over repeated calls', () => {
    classify(model, clips[0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      classify(model, clips[i % clips.length]);
      predictProbabilities(model, clips);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('rejects a window of the wrong length', () => {
    assert.throws(() => classify(model, new Float32Array(1599)), {
      message: 'PCM has 1599 samples, expected window_samples = 1600',
    });
    assert.throws(() => classify(model, new Float32Array(16000)), {
      message: 'PCM has 16000 samples, expected window_samples = 1600',
    });
    assert.throws(() => predictProbabilities(model, [clips[0], new Float32Array(10)]), {
      message: 'PCM window 1 has 10 samples, expected window_samples = 1600',
    });
    assert.throws(() => predictProbabilities(model, new Float32Array(2000)), {
      message: 'PCM batch has 2000 samples, expected a positive multiple of window_samples = 1600',
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
      { message: 'metadata.json: format_version is 2, expected 1' },
    );
  });

  it('fails to load when window_samples disagrees with the model input', async () => {
    await assert.rejects(
      loadModelFromFiles(
        files.modelJson,
        files.weightBuffers,
        withMetadata({ window_samples: 800, window_seconds: 0.05 }),
      ),
      { message: 'model input has 1600 samples per window, but metadata.json window_samples is 800' },
    );
  });

  it('fails to load with the wrong number of weight shards', async () => {
    await assert.rejects(loadModelFromFiles(files.modelJson, [], GOOD_METADATA), {
      message: 'model.json lists 1 weight shard(s), got 0 buffer(s)',
    });
  });

  it('loads from the metadata.json on disk', () => {
    assert.deepEqual(files.metadata, GOOD_METADATA);
  });
});
