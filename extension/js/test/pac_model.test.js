import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { useBackend } from '../src/backend.js';
import { loadModelDir, readModelDir, readPcmF32File } from '../src/node_io.js';
import {
  classify,
  clipInput,
  concatWeightBuffers,
  loadModelFromFiles,
  predictProbabilities,
  validateMetadata,
} from '../src/pac_model.js';
import { resample } from '../src/resample.js';
import {
  FIXTURE_MODEL_DIR,
  FIXTURE_DIR,
  PARITY_TOLERANCE,
  RESAMPLING_TOLERANCE,
  SKIP_NO_FIXTURE,
  maxAbsDiff,
  readExpected,
} from './fixture.js';

/** Complete metadata, as `pac train` writes it (docs/metadata.md). */
const GOOD_METADATA = Object.freeze({
  format: 'pac-model',
  format_version: 2,
  labels: ['chirp', 'noise', 'tone'],
  sample_rate_hz: 16000,
  window_seconds: 1.0,
  window_samples: 16000,
  max_clip_samples: 160000,
  input: {
    name: 'pcm',
    length_name: 'pcm_length',
    shape: [null, 160000],
    dtype: 'float32',
    range: [-1.0, 1.0],
  },
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
      maxClipSamples: 160000,
      inputName: 'pcm',
      lengthName: 'pcm_length',
    });
  });

  // The same wording as model_export/model_folder/metadata.py: both read metadata.schema.json.
  const cases = [
    [{ format_version: 3 }, "field 'format_version' is 3; this runtime reads format_version 2"],
    [
      { format_version: 1 },
      "field 'format_version' is 1; this runtime reads format_version 2 " +
        "(the model is from an older pac: run 'pac train' again)",
    ],
    [{ format_version: '2' }, "field 'format_version' is \"2\"; this runtime reads format_version 2"],
    [{ format_version: undefined }, "field 'format_version' is undefined; this runtime reads format_version 2"],
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
    [{ max_clip_samples: 8000 }, "field 'max_clip_samples' (8000) is shorter than the window (16000)"],
    [{ max_clip_samples: undefined }, "missing field 'max_clip_samples'"],
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
  let expected;
  let native; // the fixture's clips at the model's rate, with Python's probabilities
  let clips;

  before(async () => {
    tf.env().set('PROD', true); // no "install tfjs-node" banner
    await useBackend('wasm'); // the real model: ~35 ms a clip, against ~900 ms on 'cpu'
    files = await readModelDir(FIXTURE_MODEL_DIR);
    model = await loadModelDir(FIXTURE_MODEL_DIR);
    expected = readExpected();
    native = expected.clips.filter((c) => c.rate_hz === model.sampleRateHz);
    clips = await Promise.all(native.map((c) => readPcmF32File(c.path)));
  });

  it('loads with metadata and signature names', () => {
    assert.deepEqual(model.labels, ['chirp', 'noise', 'tone']);
    assert.equal(model.windowSamples, 16000);
    assert.equal(model.maxClipSamples, 160000);
    assert.equal(model.sampleRateHz, 16000);
    assert.equal(model.inputName, 'pcm');
    assert.equal(model.lengthName, 'pcm_length');
    assert.equal(model.outputName, 'probabilities');
  });

  it('takes clips of any length, and matches Python (LiteRT) as a batch', () => {
    const lengths = clips.map((c) => c.length);
    assert.ok(Math.min(...lengths) < model.windowSamples && Math.max(...lengths) > model.maxClipSamples);
    const probabilities = predictProbabilities(model, clips);
    assert.ok(maxAbsDiff(probabilities, native.map((c) => c.probabilities)) < PARITY_TOLERANCE);
  });

  it('matches Python one clip at a time', () => {
    const oneByOne = clips.map((clip) => predictProbabilities(model, [clip])[0]);
    assert.ok(maxAbsDiff(oneByOne, native.map((c) => c.probabilities)) < PARITY_TOLERANCE);
  });

  it('keeps the middle of a clip longer than the maximum', () => {
    const long = clips.find((c) => c.length > model.maxClipSamples);
    const middle = clipInput(model, long);
    assert.equal(middle.length, model.maxClipSamples);
    assert.equal(middle[0], long[Math.floor((long.length - model.maxClipSamples) / 2)]);
    assert.equal(clipInput(model, clips[0]), clips[0]);
  });

  it('resamples an 8 kHz clip to the probabilities Python gives it', async () => {
    const clip = expected.clips.find((c) => c.rate_hz === 8000);
    const pcm = resample(await readPcmF32File(clip.path), 8000, model.sampleRateHz);
    assert.equal(pcm.length, clip.samples * 2);
    const [row] = predictProbabilities(model, [pcm]);
    assert.ok(maxAbsDiff([row], [clip.probabilities]) < PARITY_TOLERANCE);
    assert.equal(classify(model, pcm)[0][0], clip.truth);
  });

  it("resamples as Python's resampler does, at every rate of the golden vectors", async () => {
    assert.ok(expected.resampling.length >= 5);
    for (const { from_hz: fromHz, to_hz: toHz, file } of expected.resampling) {
      const input = await readPcmF32File(path.join(FIXTURE_DIR, `${file}.in.f32`));
      const want = await readPcmF32File(path.join(FIXTURE_DIR, `${file}.out.f32`));
      const got = resample(input, fromHz, toHz);
      assert.equal(got.length, want.length, file);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      assert.ok(worst <= RESAMPLING_TOLERANCE, `${file}: differs by ${worst}`);
    }
  });

  it('refuses a sample rate that is not a whole number of Hz', () => {
    assert.throws(() => resample(new Float32Array(10), 8000.5, 16000), {
      message: 'sample rate must be an integer from 1 to 384000 Hz, got 8000.5',
    });
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
      assert.ok(maxAbsDiff([inLabelOrder], [native[c].probabilities]) < PARITY_TOLERANCE);
      // Each held-out clip is recognised.
      if (native[c].truth !== null) assert.equal(pairs[0][0], native[c].truth);
    });
  });

  it('classify accepts a plain number array', () => {
    const pairs = classify(model, Array.from(clips[1]));
    assert.deepEqual(pairs, classify(model, clips[1]));
  });

  it('does not leak tensors over repeated calls', () => {
    classify(model, clips[0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      classify(model, clips[i % clips.length]);
      predictProbabilities(model, clips.slice(0, 3));
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('rejects what is not PCM', () => {
    assert.throws(() => classify(model, null), {
      message: 'PCM must be a Float32Array or an array of numbers',
    });
    assert.throws(() => predictProbabilities(model, [clips[0], 7]), {
      message: 'clip 1 must be a Float32Array or an array of numbers',
    });
    assert.throws(() => predictProbabilities(model, []), {
      message: 'clips must be a non-empty array of PCM arrays',
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

  it('fails to load a model from an older pac', async () => {
    await assert.rejects(
      loadModelFromFiles(files.modelJson, files.weightBuffers, withMetadata({ format_version: 1 })),
      {
        message:
          "metadata.json: field 'format_version' is 1; this runtime reads format_version 2 " +
          "(the model is from an older pac: run 'pac train' again)",
      },
    );
  });

  it('fails to load when max_clip_samples disagrees with the model input', async () => {
    await assert.rejects(
      loadModelFromFiles(
        files.modelJson,
        files.weightBuffers,
        withMetadata({ max_clip_samples: 96000 }),
      ),
      {
        message:
          'model input takes 160000 samples per clip, but metadata.json max_clip_samples is 96000',
      },
    );
  });

  it('fails to load when metadata names inputs the graph does not have', async () => {
    const metadata = withMetadata({});
    metadata.input.length_name = 'n';
    await assert.rejects(loadModelFromFiles(files.modelJson, files.weightBuffers, metadata), {
      message: /^model\.json: the graph's inputs are \[pcm(_length)?,pcm(_length)?\], but metadata\.json names \[pcm,n\]$/,
    });
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
