#!/usr/bin/env node
/**
 * Runs an exported PAC model on raw PCM clips and prints ONE JSON object.
 *
 *   node extension/js/tools/predict.mjs MODEL_DIR CLIP.f32... [--rate HZ] [--backend cpu|wasm] [--repeat N]
 *
 * Each CLIP.f32 is one clip of raw little-endian float32 mono PCM, of any
 * length, at --rate Hz (default: the model's sample_rate_hz); other rates are
 * resampled by src/resample.js, as on the phone. Stdout:
 *
 *   {"backend": "cpu", "labels": [...], "probabilities": [[...], ...],
 *    "timing_ms": {"load": x, "per_clip": [...], "median_per_clip": x}}
 *
 * Timing: each clip runs alone (batch of 1, as on the phone), after one
 * untimed warm-up run, --repeat times; per_clip[i] is the median over those
 * repeats and includes resampling, building the input tensors and the
 * dataSync() readback.
 * "load" covers reading the files, building the graph and its validation run.
 * On any error: one line on stderr, exit status 1.
 */
import { performance } from 'node:perf_hooks';
import process from 'node:process';

import * as tf from '@tensorflow/tfjs';

import { BACKENDS, useBackend } from '../src/backend.js';
import { loadModelDir, readPcmF32File } from '../src/node_io.js';
import { predictProbabilities } from '../src/pac_model.js';
import { resample } from '../src/resample.js';

const USAGE =
  'usage: node predict.mjs MODEL_DIR CLIP.f32... [--rate HZ] [--backend cpu|wasm] [--repeat N]';

class UsageError extends Error {}

function parseArgs(argv) {
  const positional = [];
  const options = { backend: BACKENDS[0], repeat: 1, rate: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '-h' || arg === '--help') {
      options.help = true;
    } else if (arg === '--backend' || arg.startsWith('--backend=')) {
      options.backend = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : takeValue();
      if (!BACKENDS.includes(options.backend)) {
        throw new UsageError(
          `--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(options.backend)}`,
        );
      }
    } else if (arg === '--repeat' || arg.startsWith('--repeat=')) {
      const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : takeValue();
      const repeat = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(repeat) || repeat < 1) {
        throw new UsageError(`--repeat must be a positive integer, got ${JSON.stringify(raw)}`);
      }
      options.repeat = repeat;
    } else if (arg === '--rate' || arg.startsWith('--rate=')) {
      const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : takeValue();
      if (!/^\d+$/.test(raw)) {
        throw new UsageError(`--rate must be a whole number of Hz, got ${JSON.stringify(raw)}`);
      }
      options.rate = Number(raw);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (!options.help && positional.length < 2) {
    throw new UsageError(
      `expected MODEL_DIR and at least one CLIP.f32, got ${positional.length} argument(s)`,
    );
  }
  [options.modelDir, ...options.inputPaths] = positional;
  return options;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(argv) {
  const options = parseArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Keep stdout/stderr clean: silences TF.js's "install tfjs-node" banner.
  tf.env().set('PROD', true);
  await useBackend(options.backend);

  const loadStart = performance.now();
  const model = await loadModelDir(options.modelDir);
  const loadMs = performance.now() - loadStart;

  const rate = options.rate ?? model.sampleRateHz;
  const clips = [];
  for (const inputPath of options.inputPaths) clips.push(await readPcmF32File(inputPath));
  const run = async (clip) =>
    predictProbabilities(model, [resample(clip, rate, model.sampleRateHz)])[0];
  await run(clips[0]); // warm-up, untimed

  const probabilities = [];
  const perClipMs = [];
  for (const clip of clips) {
    const timesMs = [];
    let row;
    for (let r = 0; r < options.repeat; r++) {
      const t0 = performance.now();
      row = await run(clip);
      timesMs.push(performance.now() - t0);
    }
    probabilities.push(row);
    perClipMs.push(median(timesMs));
  }
  model.dispose();

  const result = {
    backend: tf.getBackend(),
    labels: model.labels,
    probabilities,
    timing_ms: {
      load: loadMs,
      per_clip: perClipMs,
      median_per_clip: median(perClipMs),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  const message = String(err && err.message ? err.message : err).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`predict: ${message}\n`);
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exitCode = 1;
}
