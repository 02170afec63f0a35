import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend.js';
import { loadModelDir } from '../src/node_io.js';
import { predictProbabilities } from '../src/pac_model.js';
await useBackend('wasm');
const model = await loadModelDir(process.argv[2]);
const clip = new Float32Array(16000).map(() => (Math.random() - 0.5) * 0.2);
for (let i = 0; i < 3; i++) predictProbabilities(model, [clip]);
const t0 = performance.now(); for (let i = 0; i < 10; i++) predictProbabilities(model, [clip]); console.log('wall per clip', ((performance.now() - t0) / 10).toFixed(1));
const prof = await tf.profile(() => { predictProbabilities(model, [clip]); });
const by = {};
for (const k of prof.kernels) { by[k.name] = by[k.name] || [0, 0]; by[k.name][0] += 1; by[k.name][1] += k.kernelTimeMs; }
for (const [k, v] of Object.entries(by).sort((a, b) => b[1][0] - a[1][0])) console.log(k.padEnd(24), v[0], v[1].toFixed(2));
