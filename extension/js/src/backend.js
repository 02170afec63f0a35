/**
 * Selects the TF.js backend the PAC runtime runs on.
 */
import * as tf from '@tensorflow/tfjs';

/** Backends this runtime supports; the first is the default. */
export const BACKENDS = Object.freeze(['cpu', 'wasm']);

/**
 * Switches TF.js to `name` and waits until it is ready.
 * 'wasm' loads @tensorflow/tfjs-backend-wasm on first use (in Node its .wasm
 * binaries are read from node_modules, no network needed).
 *
 * @param {string} name one of BACKENDS
 */
export async function useBackend(name) {
  if (!BACKENDS.includes(name)) {
    throw new Error(`unknown backend ${JSON.stringify(name)}, expected one of ${BACKENDS.join(', ')}`);
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`TF.js backend ${name} failed to initialise (active: ${tf.getBackend()})`);
  }
}
