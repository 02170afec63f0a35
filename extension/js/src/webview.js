/**
 * Entry point of the JS runtime inside the extension's hidden WebView
 * (bundled with esbuild into one asset, pac_webview.js; see build.mjs).
 *
 * On load it starts TF.js on the wasm backend, loads the model from the
 * extension's assets and posts ClassifierReady (or Error -8). Then Java calls
 * `pac.classify(id, pcmUrl, sampleRateHz)` for each clip, and, while
 * listening, `pac.listenChunk(base64Pcm16, sampleRateHz)` for each chunk that
 * AudioRecord delivers. Every message goes through ./messages.js. Nothing is
 * fetched from outside the assets.
 *
 * Bridge mode (`pac.useBridge("ws://HOST:PORT?code=CODE")`, from the BridgeUrl
 * property): clips and listening windows go to `pac bridge` on the laptop over
 * the WebView's own WebSocket instead of the model in the assets; the same
 * messages come back. A dropped connection posts Error -30 and reconnects with
 * backoff. `pac.useBridge("")` returns to the local model.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { ERROR_CODES, JAVA_INTERFACE, classifierReady, error, gotClassification } from './messages.js';
import { backoffMs, classifySoundData, hello, parseBridgeUrl } from './bridge_client.js';
import { Listener } from './listening.js';
import { classify, loadModelFromFiles, weightShardPaths } from './pac_model.js';
import { resample } from './resample.js';

/** Where the WebView serves the extension's assets (intercepted by Java). */
export const ASSET_BASE = 'https://pac.assets/';

function post(message) {
  window[JAVA_INTERFACE].post(JSON.stringify(message));
}

async function fetchAsset(name, kind) {
  const response = await fetch(ASSET_BASE + name);
  if (!response.ok) throw new Error(`asset ${name}: HTTP ${response.status}`);
  return kind === 'json' ? response.json() : response.arrayBuffer();
}

/** Base64 text -> bytes (an ArrayBuffer). */
export function base64ToBytes(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out.buffer;
}

/** 16-bit little-endian PCM bytes -> float32 in [-1, 1). */
export function pcm16ToFloat32(bytes) {
  if (bytes.byteLength % 2 !== 0) {
    throw new Error(`PCM has ${bytes.byteLength} bytes; 16-bit samples need an even number`);
  }
  const view = new DataView(bytes);
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true) / 32768;
  return out;
}

let model = null;
let modelName = 'model';
/** Bridge mode: {url, code, socket, open, attempt, announced, refused, listening: Set}. */
let bridge = null;

function useBridge(text) {
  if (bridge !== null) {
    const old = bridge;
    bridge = null;
    clearTimeout(old.timer);
    if (old.socket) old.socket.close();
  }
  if (!text) {
    if (model !== null) post(classifierReady(model.labels, modelName));
    return;
  }
  let target;
  try {
    target = parseBridgeUrl(text);
  } catch (err) {
    post(error(null, ERROR_CODES.INVALID_ARGUMENT, err.message));
    return;
  }
  bridge = { ...target, socket: null, open: false, attempt: 0, announced: false, refused: false };
  bridge.listening = new Set();
  connectBridge(bridge);
}

function connectBridge(b) {
  const ws = new WebSocket(b.url);
  b.socket = ws;
  ws.onopen = () => ws.send(JSON.stringify(hello(b.code)));
  ws.onmessage = (event) => {
    if (bridge !== b) return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'ClassifierReady') {
      b.open = true;
      b.attempt = 0;
      b.announced = false;
    }
    if (message.type === 'Error' && (message.code === ERROR_CODES.WRONG_CODE || message.code === ERROR_CODES.UNSUPPORTED_PROTOCOL)) {
      b.refused = true; // reconnecting cannot help
    }
    if (message.type === 'GotClassification' && b.listening.delete(message.id)) {
      if (listening === null || message.result[0][1] < listening.minimumConfidence) return;
    }
    post(message);
  };
  ws.onclose = () => {
    if (bridge !== b) return;
    b.open = false;
    b.listening.clear();
    if (b.refused) return;
    if (!b.announced) {
      b.announced = true;
      post(error(null, ERROR_CODES.BRIDGE_DISCONNECTED, `no connection to the bridge at ${b.url}; reconnecting`));
    }
    b.timer = setTimeout(() => {
      if (bridge === b) connectBridge(b);
    }, backoffMs(b.attempt++));
  };
}

/** Sends a clip to the bridge; false (after posting Error -30) when it is not connected. */
function sendToBridge(id, samples, rateHz) {
  if (!bridge.open) {
    post(error(id, ERROR_CODES.BRIDGE_DISCONNECTED, `not connected to the bridge at ${bridge.url}`));
    return false;
  }
  bridge.socket.send(JSON.stringify(classifySoundData(id, samples, rateHz)));
  return true;
}

async function start() {
  tf.env().set('PROD', true);
  setWasmPaths(ASSET_BASE);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    await tf.ready();
  } catch (err) {
    post(
      error(
        null,
        ERROR_CODES.CLASSIFICATION_NOT_SUPPORTED,
        `this WebView cannot run the classifier (WebAssembly): ${err.message}`,
      ),
    );
    return;
  }
  try {
    const [modelJson, metadata] = await Promise.all([
      fetchAsset('model.json', 'json'),
      fetchAsset('metadata.json', 'json'),
    ]);
    const shards = await Promise.all(weightShardPaths(modelJson).map((p) => fetchAsset(p)));
    model = await loadModelFromFiles(modelJson, shards, metadata);
    const info = await fetchAsset('pac_extension.json', 'json').catch(() => ({}));
    modelName = info.model_name ?? 'model';
    if (bridge === null) post(classifierReady(model.labels, modelName));
  } catch (err) {
    post(error(null, ERROR_CODES.INVALID_MODEL, `the model cannot be loaded: ${err.message}`));
  }
}

async function classifyRequest(id, pcmUrl, sampleRateHz) {
  if (bridge === null && model === null) {
    post(error(id, ERROR_CODES.NOT_READY, 'the classifier is not ready yet'));
    return;
  }
  let pcm;
  try {
    const response = await fetch(pcmUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    pcm = pcm16ToFloat32(await response.arrayBuffer());
    if (pcm.length === 0) {
      post(error(id, ERROR_CODES.EMPTY_CLIP, 'the clip holds no samples'));
      return;
    }
    // The bridge resamples on the laptop; the local model needs its own rate.
    if (bridge === null) pcm = resample(pcm, sampleRateHz, model.sampleRateHz);
  } catch (err) {
    post(error(id, ERROR_CODES.CANNOT_PREPARE_AUDIO, `the audio cannot be prepared: ${err.message}`));
    return;
  }
  if (bridge !== null) {
    sendToBridge(id, pcm, sampleRateHz);
    return;
  }
  try {
    post(gotClassification(id, classify(model, pcm)));
  } catch (err) {
    post(error(id, ERROR_CODES.CLASSIFICATION_FAILED, `classification failed: ${err.message}`));
  }
}

let listening = null; // {listener, minimumConfidence, windows}

function startListening(overlapFactor, minimumConfidence) {
  if (model === null) {
    post(error(null, ERROR_CODES.NOT_READY, 'the classifier is not ready yet'));
    return;
  }
  try {
    listening = {
      listener: new Listener(model.windowSamples, overlapFactor),
      minimumConfidence,
      windows: 0,
    };
  } catch (err) {
    post(error(null, ERROR_CODES.CLASSIFICATION_FAILED, err.message));
  }
}

function listenChunk(base64Pcm16, sampleRateHz) {
  if (listening === null) return; // a chunk that was in flight when listening stopped
  if (sampleRateHz !== model.sampleRateHz) {
    listening = null;
    post(
      error(
        null,
        ERROR_CODES.CANNOT_PREPARE_AUDIO,
        `listening needs audio at ${model.sampleRateHz} Hz, got ${sampleRateHz} Hz`,
      ),
    );
    return;
  }
  let windows;
  try {
    windows = listening.listener.push(pcm16ToFloat32(base64ToBytes(base64Pcm16)));
  } catch (err) {
    post(error(null, ERROR_CODES.CANNOT_PREPARE_AUDIO, `the audio cannot be prepared: ${err.message}`));
    return;
  }
  for (const window of windows) {
    const id = `listening-${listening.windows++}`;
    if (bridge !== null) {
      if (bridge.open && sendToBridge(id, window, model.sampleRateHz)) bridge.listening.add(id);
      continue;
    }
    try {
      const result = classify(model, window);
      if (result[0][1] >= listening.minimumConfidence) post(gotClassification(id, result));
    } catch (err) {
      post(error(id, ERROR_CODES.CLASSIFICATION_FAILED, `classification failed: ${err.message}`));
    }
  }
}

window.pac = {
  classify: (id, pcmUrl, sampleRateHz) => {
    classifyRequest(String(id), pcmUrl, sampleRateHz);
  },
  startListening,
  listenChunk,
  useBridge,
  stopListening: () => {
    listening = null;
  },
};
start();
