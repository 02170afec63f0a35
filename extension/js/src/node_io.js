/**
 * Node-only file reading for the PAC runtime. Everything else in src/ is
 * platform-neutral.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadModelFromFiles, weightShardPaths } from './pac_model.js';

const BYTES_PER_FLOAT32 = 4;

async function readJsonFile(filePath, what) {
  let text;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`${what} not found: ${filePath}`);
    throw new Error(`cannot read ${what} ${filePath}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${filePath}: ${err.message}`);
  }
}

async function readBinaryFile(filePath, what) {
  try {
    return await readFile(filePath);
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`${what} not found: ${filePath}`);
    throw new Error(`cannot read ${what} ${filePath}: ${err.message}`);
  }
}

/**
 * Reads model.json, its weight shards (in weightsManifest order) and
 * metadata.json from an exported model directory.
 *
 * @param {string} modelDir
 * @returns {Promise<{modelJson: object, weightBuffers: Buffer[], metadata: object}>}
 */
export async function readModelDir(modelDir) {
  const modelJson = await readJsonFile(path.join(modelDir, 'model.json'), 'model.json');
  const metadata = await readJsonFile(path.join(modelDir, 'metadata.json'), 'metadata.json');
  const weightBuffers = [];
  for (const shard of weightShardPaths(modelJson)) {
    weightBuffers.push(await readBinaryFile(path.join(modelDir, shard), 'weight shard'));
  }
  return { modelJson, weightBuffers, metadata };
}

/**
 * Loads, validates and warms up the model in an exported model directory.
 * The TF.js backend must already be set and ready.
 *
 * @param {string} modelDir directory holding model.json, shards, metadata.json
 * @returns {Promise<import('./pac_model.js').PacModel>}
 */
export async function loadModelDir(modelDir) {
  const { modelJson, weightBuffers, metadata } = await readModelDir(modelDir);
  return loadModelFromFiles(modelJson, weightBuffers, metadata);
}

/**
 * Reads one clip of raw little-endian float32 mono PCM, of any length.
 *
 * @param {string} filePath
 * @returns {Promise<Float32Array>}
 */
export async function readPcmF32File(filePath) {
  const bytes = await readBinaryFile(filePath, 'input file');
  if (bytes.byteLength % BYTES_PER_FLOAT32 !== 0) {
    throw new Error(
      `input file ${filePath} has ${bytes.byteLength} bytes, which is not a whole number ` +
        'of 4-byte float32 samples',
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const clip = new Float32Array(bytes.byteLength / BYTES_PER_FLOAT32);
  for (let i = 0; i < clip.length; i++) {
    clip[i] = view.getFloat32(i * BYTES_PER_FLOAT32, true);
  }
  return clip;
}
