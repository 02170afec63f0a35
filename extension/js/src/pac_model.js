/**
 * Runtime for an exported personal-audio-classifier (PAC) model.
 *
 * Contract (written by the Python exporter, see extension/js/README.md):
 *   - model.json + group1-shard*.bin: a TF.js *graph* model with ONE input,
 *     float32 PCM in [-1, 1] of shape [batch, window_samples], and ONE output,
 *     softmax probabilities of shape [batch, labels.length].
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
    `${METADATA_FORMAT_VERSION}`;
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
 * Checks metadata.json against metadata.schema.json, plus the one rule a schema
 * cannot state (window_samples = round(window_seconds * sample_rate_hz)).
 * Throws an Error that names the field, worded as the Python validator words it.
 *
 * @param {object} metadata parsed metadata.json
 * @returns {{labels: string[], sampleRateHz: number, windowSamples: number, windowSeconds: number}}
 */
export function validateMetadata(metadata) {
  if (!validateAgainstSchema(metadata)) {
    const problems = validateAgainstSchema.errors.map((e) => describe(e, metadata));
    problems.sort((a, b) => a[0] - b[0]);
    throw new Error(`metadata.json: ${problems[0][1]}`);
  }
  const { labels, sample_rate_hz: sampleRateHz, window_samples: windowSamples } = metadata;
  const windowSeconds = metadata.window_seconds;
  if (windowSamples !== Math.round(windowSeconds * sampleRateHz)) {
    throw new Error(
      `metadata.json: field 'window_samples' (${windowSamples}) does not match ` +
        'window_seconds x sample_rate_hz',
    );
  }
  return { labels: [...labels], sampleRateHz, windowSamples, windowSeconds };
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
 * tf.ready). Warm-up runs one all-zero window, which also checks that the
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

  const model = new PacModel(graphModel, meta);
  try {
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
   * @param {{labels: string[], sampleRateHz: number, windowSamples: number, windowSeconds: number}} meta
   */
  constructor(graphModel, meta) {
    this.graphModel = graphModel;
    /** @type {string[]} labels in model-output order */
    this.labels = meta.labels;
    this.sampleRateHz = meta.sampleRateHz;
    this.windowSamples = meta.windowSamples;
    this.windowSeconds = meta.windowSeconds;
    if (graphModel.inputs.length !== 1 || graphModel.outputs.length !== 1) {
      throw new Error(
        `model.json: expected 1 input and 1 output, found ${graphModel.inputs.length} ` +
          `input(s) and ${graphModel.outputs.length} output(s)`,
      );
    }
    /** Signature names, e.g. "pcm" and "Identity:0" for a Keras 3 export. */
    this.inputName = graphModel.inputs[0].name;
    this.outputName = graphModel.outputs[0].name;
  }

  /** Checks the graph's input width and output size, running one zero window. */
  checkAndWarmUp() {
    const inputShape = this.graphModel.inputs[0].shape;
    if (Array.isArray(inputShape) && inputShape.length === 2 && inputShape[1] > 0) {
      if (inputShape[1] !== this.windowSamples) {
        throw new Error(
          `model input has ${inputShape[1]} samples per window, but metadata.json ` +
            `window_samples is ${this.windowSamples}`,
        );
      }
    }
    const outputShape = tf.tidy(() => {
      const out = this.run(tf.zeros([1, this.windowSamples], 'float32'));
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
   * Runs the graph on a [batch, windowSamples] tensor. Call inside tf.tidy.
   * @param {tf.Tensor2D} pcmBatch
   * @returns {tf.Tensor2D}
   */
  run(pcmBatch) {
    return /** @type {tf.Tensor2D} */ (
      this.graphModel.execute({ [this.inputName]: pcmBatch }, this.outputName)
    );
  }

  /** Frees the model's weights. */
  dispose() {
    this.graphModel.dispose();
  }
}

function checkWindowLength(model, length, what) {
  if (length !== model.windowSamples) {
    throw new Error(
      `${what} has ${length} samples, expected window_samples = ${model.windowSamples}`,
    );
  }
}

/**
 * Packs one or more PCM windows into a flat Float32Array [n, windowSamples].
 * @returns {{flat: Float32Array, n: number}}
 */
function packBatch(model, batch) {
  if (batch instanceof Float32Array) {
    if (batch.length === 0 || batch.length % model.windowSamples !== 0) {
      throw new Error(
        `PCM batch has ${batch.length} samples, expected a positive multiple of ` +
          `window_samples = ${model.windowSamples}`,
      );
    }
    return { flat: batch, n: batch.length / model.windowSamples };
  }
  if (!Array.isArray(batch) || batch.length === 0) {
    throw new Error('PCM batch must be a Float32Array or a non-empty array of windows');
  }
  const flat = new Float32Array(batch.length * model.windowSamples);
  batch.forEach((clip, i) => {
    checkWindowLength(model, clip.length, `PCM window ${i}`);
    flat.set(clip, i * model.windowSamples);
  });
  return { flat, n: batch.length };
}

/**
 * Raw probabilities in label order, one row per window (for parity tests).
 *
 * @param {PacModel} model
 * @param {Float32Array|Array<Float32Array|number[]>} batch either a flat
 *     Float32Array of n * windowSamples samples, or an array of windows
 * @returns {number[][]} [n][labels.length]
 */
export function predictProbabilities(model, batch) {
  const { flat, n } = packBatch(model, batch);
  const values = tf.tidy(() => {
    const input = tf.tensor2d(flat, [n, model.windowSamples], 'float32');
    return model.run(input).dataSync();
  });
  const nLabels = model.labels.length;
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push(Array.from(values.subarray(i * nLabels, (i + 1) * nLabels)));
  }
  return rows;
}

/**
 * Classifies one window of PCM.
 *
 * @param {PacModel} model
 * @param {Float32Array|number[]} pcm exactly model.windowSamples samples in [-1, 1]
 *     at model.sampleRateHz
 * @returns {Array<[string, number]>} [label, confidence] pairs, highest
 *     confidence first (ties keep label order) — the shape App Inventor's
 *     GotClassification event delivers
 */
export function classify(model, pcm) {
  if (pcm === null || pcm === undefined || typeof pcm.length !== 'number') {
    throw new Error('PCM must be a Float32Array or an array of numbers');
  }
  checkWindowLength(model, pcm.length, 'PCM');
  const clip = pcm instanceof Float32Array ? pcm : Float32Array.from(pcm);
  const [probabilities] = predictProbabilities(model, clip);
  return model.labels
    .map((label, i) => [label, probabilities[i]])
    .sort((a, b) => b[1] - a[1]);
}
