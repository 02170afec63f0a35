/**
 * Runtime for an exported personal-audio-classifier (PAC) model.
 *
 * Contract (written by the Python exporter; docs/metadata.md):
 *   - model.json + group1-shard*.bin: a TF.js *graph* model with two inputs,
 *     float32 PCM in [-1, 1] of shape [batch, max_clip_samples] (each clip
 *     zero-padded) and int32 [batch] (each clip's length), and ONE output,
 *     softmax probabilities of shape [batch, labels.length]. The graph finds
 *     where the sound is and centres it in the window itself.
 *   - metadata.json: checked against model_export/model_folder/metadata.schema.json,
 *     the one declaration of its rules (docs/metadata.md).
 *
 * This module is platform-neutral: no file system, no fetch, no browser APIs.
 * The caller picks and readies the TF.js backend before loading; Node file
 * reading lives in ./node_io.js.
 */
import * as tf from '@tensorflow/tfjs';
import Ajv2020 from 'ajv/dist/2020.js';

import METADATA_SCHEMA from '../../../model_export/model_folder/metadata.schema.json' with { type: 'json' };

/** The metadata rules, declared once for Python and JS (docs/metadata.md). */
export { METADATA_SCHEMA };

/** The only metadata.json format_version this runtime understands. */
export const METADATA_FORMAT_VERSION = METADATA_SCHEMA.properties.format_version.const;

const validateAgainstSchema = new Ajv2020({ allErrors: true, strict: false }).compile(
  METADATA_SCHEMA,
);

/** One schema violation as [priority, text]: the most basic problem is reported first. */
function describe(error, metadata) {
  const path = error.instancePath.split('/').slice(1);
  const field = path[0];
  const show = (value) => JSON.stringify(value);
  if (error.keyword === 'type' && path.length === 0) {
    return [0, `expected a JSON object, got ${Array.isArray(metadata) ? 'array' : typeof metadata}`];
  }
  if (field === 'format') {
    const expected = METADATA_SCHEMA.properties.format.const;
    return [1, `field 'format' must be ${show(expected)}, got ${show(metadata.format)}`];
  }
  const versionProblem = (value) =>
    `field 'format_version' is ${show(value)}; this runtime reads format_version ` +
    `${METADATA_FORMAT_VERSION}` +
    (Number.isInteger(value) && value < METADATA_FORMAT_VERSION
      ? " (the model is from an older pac: run 'pac train' again)"
      : '');
  if (field === 'format_version') return [2, versionProblem(metadata.format_version)];
  if (error.keyword === 'required' && path.length === 0) {
    const missing = error.params.missingProperty;
    if (missing === 'format_version') return [2, versionProblem(undefined)];
    return [3, `missing field '${missing}'`];
  }
  if (error.keyword === 'type' && path.length === 1) return [4, `field '${field}' has the wrong type`];
  if (field === 'labels') {
    if (error.keyword === 'uniqueItems') return [5, "field 'labels' has duplicates"];
    return [5, "field 'labels' must list at least 2 non-empty strings"];
  }
  return [6, `field '${path.join('/')}' is invalid: ${error.message}`];
}

/**
 * Checks metadata.json against metadata.schema.json, plus the rules a schema
 * cannot state (window_samples = round(window_seconds * sample_rate_hz),
 * max_clip_samples >= window_samples). Throws an Error that names the field,
 * worded as the Python validator words it.
 *
 * @param {object} metadata parsed metadata.json
 * @returns {{labels: string[], sampleRateHz: number, windowSamples: number,
 *     windowSeconds: number, maxClipSamples: number, inputName: string, lengthName: string}}
 */
export function validateMetadata(metadata) {
  if (!validateAgainstSchema(metadata)) {
    const problems = validateAgainstSchema.errors.map((e) => describe(e, metadata));
    problems.sort((a, b) => a[0] - b[0]);
    throw new Error(`metadata.json: ${problems[0][1]}`);
  }
  const { labels, sample_rate_hz: sampleRateHz, window_samples: windowSamples } = metadata;
  const { max_clip_samples: maxClipSamples, window_seconds: windowSeconds } = metadata;
  if (windowSamples !== Math.round(windowSeconds * sampleRateHz)) {
    throw new Error(
      `metadata.json: field 'window_samples' (${windowSamples}) does not match ` +
        'window_seconds x sample_rate_hz',
    );
  }
  if (maxClipSamples < windowSamples) {
    throw new Error(
      `metadata.json: field 'max_clip_samples' (${maxClipSamples}) is shorter than the ` +
        `window (${windowSamples})`,
    );
  }
  return {
    labels: [...labels],
    sampleRateHz,
    windowSamples,
    windowSeconds,
    maxClipSamples,
    inputName: metadata.input.name,
    lengthName: metadata.input.length_name,
  };
}

/**
 * Joins weight shards (ArrayBuffer or typed-array views) into one ArrayBuffer.
 *
 * @param {Array<ArrayBuffer|ArrayBufferView>} buffers shards in weightsManifest order
 * @returns {ArrayBuffer}
 */
export function concatWeightBuffers(buffers) {
  const views = buffers.map((b) => {
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    throw new Error(`weight shard must be an ArrayBuffer or typed array, found ${typeof b}`);
  });
  const total = views.reduce((n, v) => n + v.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const v of views) {
    out.set(v, offset);
    offset += v.byteLength;
  }
  return out.buffer;
}

/**
 * Shard paths listed in model.json's weightsManifest, in the order their
 * bytes must be concatenated.
 *
 * @param {object} modelJson parsed model.json
 * @returns {string[]}
 */
export function weightShardPaths(modelJson) {
  if (modelJson === null || typeof modelJson !== 'object') {
    throw new Error('model.json: expected a JSON object');
  }
  if (!modelJson.modelTopology) {
    throw new Error('model.json: modelTopology is missing');
  }
  if (!Array.isArray(modelJson.weightsManifest)) {
    throw new Error('model.json: weightsManifest is missing');
  }
  return modelJson.weightsManifest.flatMap((group) => group.paths);
}

/**
 * Loads a PAC model from already-read files, validates it and warms it up.
 *
 * The active TF.js backend must already be set and ready (tf.setBackend +
 * tf.ready). Warm-up classifies one empty clip, which also checks that the
 * model's output size equals labels.length.
 *
 * @param {object} modelJson parsed model.json (graph model format)
 * @param {Array<ArrayBuffer|ArrayBufferView>} weightBuffers shard contents, in
 *     weightsManifest order (see weightShardPaths)
 * @param {object} metadata parsed metadata.json
 * @returns {Promise<PacModel>}
 */
export async function loadModelFromFiles(modelJson, weightBuffers, metadata) {
  const meta = validateMetadata(metadata);
  const shardPaths = weightShardPaths(modelJson);
  if (!Array.isArray(weightBuffers) || weightBuffers.length !== shardPaths.length) {
    const got = Array.isArray(weightBuffers) ? weightBuffers.length : typeof weightBuffers;
    throw new Error(
      `model.json lists ${shardPaths.length} weight shard(s), got ${got} buffer(s)`,
    );
  }
  const weightData = concatWeightBuffers(weightBuffers);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  // Keep signature (input/output names) and any initializer from model.json.
  const { weightsManifest: _unused, ...rest } = modelJson;
  const graphModel = await tf.loadGraphModel(
    tf.io.fromMemory({ ...rest, weightSpecs, weightData }),
  );

  let model;
  try {
    model = new PacModel(graphModel, meta);
    model.checkAndWarmUp();
  } catch (err) {
    graphModel.dispose();
    throw err;
  }
  return model;
}

/**
 * A loaded PAC model: the graph model plus validated metadata.
 * Create with loadModelFromFiles / node_io.loadModelDir, release with dispose().
 */
export class PacModel {
  /**
   * @param {tf.GraphModel} graphModel
   * @param {ReturnType<typeof validateMetadata>} meta
   */
  constructor(graphModel, meta) {
    this.graphModel = graphModel;
    /** @type {string[]} labels in model-output order */
    this.labels = meta.labels;
    this.sampleRateHz = meta.sampleRateHz;
    this.windowSamples = meta.windowSamples;
    this.windowSeconds = meta.windowSeconds;
    /** The longest clip the graph takes; a longer one keeps its middle (clipInput). */
    this.maxClipSamples = meta.maxClipSamples;
    const inputs = graphModel.inputs.map((t) => t.name);
    const wanted = [meta.inputName, meta.lengthName];
    if (inputs.length !== 2 || !wanted.every((name) => inputs.includes(name))) {
      throw new Error(
        `model.json: the graph's inputs are [${inputs}], but metadata.json names ` +
          `[${wanted}]`,
      );
    }
    if (graphModel.outputs.length !== 1) {
      throw new Error(`model.json: expected 1 output, found ${graphModel.outputs.length}`);
    }
    this.inputName = meta.inputName;
    this.lengthName = meta.lengthName;
    this.outputName = graphModel.outputs[0].name;
  }

  /** Checks the graph's input width and output size, classifying one empty clip. */
  checkAndWarmUp() {
    const input = this.graphModel.inputs.find((t) => t.name === this.inputName);
    const width = Array.isArray(input.shape) ? input.shape[1] : undefined;
    if (width > 0 && width !== this.maxClipSamples) {
      throw new Error(
        `model input takes ${width} samples per clip, but metadata.json ` +
          `max_clip_samples is ${this.maxClipSamples}`,
      );
    }
    const outputShape = tf.tidy(() => {
      const out = this.run(
        tf.zeros([1, this.maxClipSamples], 'float32'),
        tf.zeros([1], 'int32'),
      );
      out.dataSync();
      return out.shape;
    });
    const nOutputs = outputShape[outputShape.length - 1];
    if (outputShape.length !== 2 || nOutputs !== this.labels.length) {
      throw new Error(
        `model output shape is [${outputShape}], which does not match the ` +
          `${this.labels.length} labels in metadata.json`,
      );
    }
  }

  /**
   * Runs the graph. Call inside tf.tidy.
   * @param {tf.Tensor2D} pcm [batch, maxClipSamples] float32, each clip zero-padded
   * @param {tf.Tensor1D} lengths [batch] int32
   * @returns {tf.Tensor2D} [batch, labels.length]
   */
  run(pcm, lengths) {
    return /** @type {tf.Tensor2D} */ (
      this.graphModel.execute(
        { [this.inputName]: pcm, [this.lengthName]: lengths },
        this.outputName,
      )
    );
  }

  /** Frees the model's weights. */
  dispose() {
    this.graphModel.dispose();
  }
}

function asFloat32(clip, what) {
  if (clip instanceof Float32Array) return clip;
  if (clip === null || clip === undefined || typeof clip.length !== 'number') {
    throw new Error(`${what} must be a Float32Array or an array of numbers`);
  }
  return Float32Array.from(clip);
}

/**
 * The part of a clip the graph sees: all of it, or the middle maxClipSamples
 * of a longer clip (the same rule as Python's clip_input).
 *
 * @param {PacModel} model
 * @param {Float32Array} clip mono PCM at model.sampleRateHz
 * @returns {Float32Array}
 */
export function clipInput(model, clip) {
  if (clip.length <= model.maxClipSamples) return clip;
  const first = Math.floor((clip.length - model.maxClipSamples) / 2);
  return clip.subarray(first, first + model.maxClipSamples);
}

/**
 * Raw probabilities in label order, one row per clip.
 *
 * @param {PacModel} model
 * @param {Array<Float32Array|number[]>} clips mono PCM in [-1, 1] at
 *     model.sampleRateHz, each of any length
 * @returns {number[][]} [clips.length][labels.length]
 */
export function predictProbabilities(model, clips) {
  if (!Array.isArray(clips) || clips.length === 0) {
    throw new Error('clips must be a non-empty array of PCM arrays');
  }
  const width = model.maxClipSamples;
  const flat = new Float32Array(clips.length * width);
  const lengths = new Int32Array(clips.length);
  clips.forEach((clip, i) => {
    const used = clipInput(model, asFloat32(clip, `clip ${i}`));
    flat.set(used, i * width);
    lengths[i] = used.length;
  });
  const values = tf.tidy(() =>
    model
      .run(tf.tensor2d(flat, [clips.length, width], 'float32'), tf.tensor1d(lengths, 'int32'))
      .dataSync(),
  );
  const nLabels = model.labels.length;
  const rows = [];
  for (let i = 0; i < clips.length; i++) {
    rows.push(Array.from(values.subarray(i * nLabels, (i + 1) * nLabels)));
  }
  return rows;
}

/**
 * [label, confidence] pairs, highest confidence first (ties keep label order).
 *
 * @param {string[]} labels
 * @param {number[]} probabilities in label order
 * @returns {Array<[string, number]>}
 */
export function ranked(labels, probabilities) {
  return labels.map((label, i) => [label, probabilities[i]]).sort((a, b) => b[1] - a[1]);
}

/**
 * Classifies one clip.
 *
 * @param {PacModel} model
 * @param {Float32Array|number[]} clip mono PCM in [-1, 1] at model.sampleRateHz,
 *     any length (see resample.js for other rates)
 * @returns {Array<[string, number]>} [label, confidence] pairs, highest
 *     confidence first (ties keep label order): the shape App Inventor's
 *     GotClassification event delivers, and `pac classify --json`
 */
export function classify(model, clip) {
  const [probabilities] = predictProbabilities(model, [asFloat32(clip, 'PCM')]);
  return ranked(model.labels, probabilities);
}
