/**
 * Runtime for an exported personal-audio-classifier (PAC) model.
 *
 * Contract (written by the Python exporter, see extension/js/README.md):
 *   - model.json + group1-shard*.bin: a TF.js *graph* model with ONE input,
 *     float32 PCM in [-1, 1] of shape [batch, window_samples], and ONE output,
 *     softmax probabilities of shape [batch, labels.length].
 *   - metadata.json: {format_version: 1, labels, sample_rate_hz,
 *     window_samples, window_seconds}.
 *
 * This module is platform-neutral: no file system, no fetch, no browser APIs.
 * The caller picks and readies the TF.js backend before loading; Node file
 * reading lives in ./node_io.js.
 */
import * as tf from '@tensorflow/tfjs';

/** The value of metadata.json's "format" field for a PAC model. */
export const METADATA_FORMAT = 'pac-model';

/** The only metadata.json format_version this runtime understands. */
export const METADATA_FORMAT_VERSION = 1;

/** Tolerance when checking window_seconds against window_samples / sample_rate_hz. */
const WINDOW_SECONDS_TOLERANCE = 1e-3;

/**
 * Checks metadata.json against the contract; throws an Error that names the
 * offending field and the found/expected value.
 *
 * @param {object} metadata parsed metadata.json
 * @returns {{labels: string[], sampleRateHz: number, windowSamples: number, windowSeconds: number}}
 */
export function validateMetadata(metadata) {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new Error('metadata.json: expected a JSON object');
  }
  if (metadata.format !== METADATA_FORMAT) {
    throw new Error(
      `metadata.json: format is ${JSON.stringify(metadata.format)}, expected "${METADATA_FORMAT}"`,
    );
  }
  const version = metadata.format_version;
  if (version !== METADATA_FORMAT_VERSION) {
    throw new Error(
      `metadata.json: format_version is ${JSON.stringify(version)}, ` +
        `expected ${METADATA_FORMAT_VERSION}`,
    );
  }
  const labels = metadata.labels;
  if (!Array.isArray(labels) || labels.length < 2) {
    throw new Error(
      `metadata.json: labels must be an array of at least 2 labels, found ${JSON.stringify(labels)}`,
    );
  }
  labels.forEach((label, i) => {
    if (typeof label !== 'string' || label.length === 0) {
      throw new Error(
        `metadata.json: labels[${i}] must be a non-empty string, found ${JSON.stringify(label)}`,
      );
    }
  });
  if (new Set(labels).size !== labels.length) {
    throw new Error(`metadata.json: labels must be unique, found ${JSON.stringify(labels)}`);
  }
  const sampleRateHz = metadata.sample_rate_hz;
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0) {
    throw new Error(
      `metadata.json: sample_rate_hz must be a positive integer, ` +
        `found ${JSON.stringify(sampleRateHz)}`,
    );
  }
  const windowSamples = metadata.window_samples;
  if (!Number.isInteger(windowSamples) || windowSamples <= 0) {
    throw new Error(
      `metadata.json: window_samples must be a positive integer, ` +
        `found ${JSON.stringify(windowSamples)}`,
    );
  }
  const expectedWindowSeconds = windowSamples / sampleRateHz;
  let windowSeconds = expectedWindowSeconds;
  if (metadata.window_seconds !== undefined) {
    windowSeconds = metadata.window_seconds;
    if (
      typeof windowSeconds !== 'number' ||
      Math.abs(windowSeconds - expectedWindowSeconds) > WINDOW_SECONDS_TOLERANCE
    ) {
      throw new Error(
        `metadata.json: window_seconds is ${JSON.stringify(windowSeconds)}, expected ` +
          `window_samples / sample_rate_hz = ${expectedWindowSeconds}`,
      );
    }
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
