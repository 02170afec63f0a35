/**
 * Entry point of the JS runtime inside the extension's hidden WebView
 * (bundled with esbuild into one asset, pac_webview.js; see build.mjs).
 *
 * On load it posts PageStarted, starts TF.js on the wasm backend, loads the
 * model from the extension's assets and posts ClassifierReady (or Error -8).
 * Then Java calls `pac.classify(...)` for each clip, and, while listening,
 * `pac.listenChunk(...)` for each chunk that AudioRecord delivers. Every
 * message goes through ./messages.js, whose comment is the contract. Nothing
 * is fetched from outside the assets.
 *
 * Listening never falls behind. Java sends the audio recorded since its last
 * call only once the page has answered that call (ListenChunkDone), so audio
 * never queues up here; of the windows that fell due in what arrives, only the
 * newest is classified. When the phone is slower than the hop, the others are
 * skipped, counted, and reported once (Error -31).
 *
 * Bridge mode (`pac.useBridge("ws://HOST:PORT?code=CODE")`, from the BridgeUrl
 * property): clips and listening windows go to `pac bridge` on the laptop over
 * the WebView's own WebSocket instead of the model in the assets; the same
 * messages come back. A dropped connection posts Error -30 and reconnects with
 * backoff. `pac.useBridge("")` returns to the local model.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import {
  ERROR_CODES,
  JAVA_INTERFACE,
  classifierReady,
  error,
  gotClassification,
  listenChunkDone,
  pageStarted,
} from './messages.js';
import { backoffMs, classifySoundData, collectSoundData, hello, parseBridgeUrl } from './bridge_client.js';
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

/** Little-endian float32 PCM bytes (what Java decodes a clip to) -> Float32Array. */
export function pcmF32(bytes) {
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`PCM has ${bytes.byteLength} bytes; float32 samples need a multiple of 4`);
  }
  const view = new DataView(bytes);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

let model = null;
let modelName = 'model';
/** Bridge mode: {url, code, socket, open, attempt, announced, refused, pending: Set}. */
let bridge = null;
/** Listening: {session, listener, overlapFactor, minimumConfidence, warned, inFlight} or null. */
let listening = null;

function useBridge(text) {
  if (bridge !== null) {
    const old = bridge;
    bridge = null;
    clearTimeout(old.timer);
    if (old.socket) old.socket.close();
  }
  if (listening !== null) listening.inFlight = false;
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
    if (typeof message.id === 'string' && message.id.startsWith('listening-')) {
      if (listening === null || !message.id.startsWith(`listening-${listening.session}-`)) return;
      listening.inFlight = false;
      if (message.type === 'GotClassification' && message.result[0][1] < listening.minimumConfidence) return;
    }
    post(message);
  };
  ws.onclose = () => {
    if (bridge !== b) return;
    b.open = false;
    if (listening !== null) listening.inFlight = false;
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

/** Sends a request to the bridge; false (after posting Error -30) when it is not connected.
 * `request()` makes the message: its audio is encoded only when it can go. */
function sendToBridge(id, request) {
  if (!bridge.open) {
    post(error(id, ERROR_CODES.BRIDGE_DISCONNECTED, `not connected to the bridge at ${bridge.url}`));
    return false;
  }
  bridge.socket.send(JSON.stringify(request()));
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

/**
 * The clip at the model's rate, cut as pac classify cuts it. When Java decoded only part of a
 * long clip, `firstModelSample` is where that part starts in the whole clip at the model's rate
 * and `totalModelSamples` the whole clip's length there (both -1 otherwise).
 */
function atModelRate(samples, rateHz, firstModelSample, totalModelSamples) {
  const pcm = resample(samples, rateHz, model.sampleRateHz);
  if (!(totalModelSamples > 0)) return pcm;
  const first = Math.floor((totalModelSamples - model.maxClipSamples) / 2) - firstModelSample;
  if (first < 0 || first + model.maxClipSamples > pcm.length) {
    throw new Error(`the part of the clip Java sent does not hold the model's window`);
  }
  return pcm.subarray(first, first + model.maxClipSamples);
}

/**
 * The float32 clip Java serves at pcmUrl, as the request needs it: at the model's rate when
 * `toModelRate` (or when Java cut a long clip: then the model's window goes), else at the
 * file's own rate. Null after posting the request's Error.
 */
async function preparedClip(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, toModelRate) {
  try {
    const response = await fetch(pcmUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const pcm = pcmF32(await response.arrayBuffer());
    if (pcm.length === 0) {
      post(error(id, ERROR_CODES.EMPTY_CLIP, 'the clip holds no samples'));
      return null;
    }
    if (toModelRate || totalModelSamples > 0) {
      return { pcm: atModelRate(pcm, sampleRateHz, firstModelSample, totalModelSamples), rateHz: model.sampleRateHz };
    }
    return { pcm, rateHz: sampleRateHz };
  } catch (err) {
    post(error(id, ERROR_CODES.CANNOT_PREPARE_AUDIO, `the audio cannot be prepared: ${err.message}`));
    return null;
  }
}

async function classifyRequest(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples) {
  if (bridge === null && model === null) {
    post(error(id, ERROR_CODES.NOT_READY, 'the classifier is not ready yet'));
    return;
  }
  // The bridge resamples on the laptop, unless Java cut the clip.
  const clip = await preparedClip(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, bridge === null);
  if (clip === null) return;
  if (bridge !== null) {
    sendToBridge(id, () => classifySoundData(id, clip.pcm, clip.rateHz));
    return;
  }
  try {
    post(gotClassification(id, classify(model, clip.pcm)));
  } catch (err) {
    post(error(id, ERROR_CODES.CLASSIFICATION_FAILED, `classification failed: ${err.message}`));
  }
}

/** CollectSoundData: the clip goes to pac studio through the bridge (protocol 1.1), at the
 * file's own rate (a long clip cut to the model's window, as for classifying). */
async function collectRequest(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, label) {
  if (bridge === null) {
    post(error(id, ERROR_CODES.COLLECTING_OFF, 'CollectSoundData sends clips to pac studio: set BridgeUrl to the address the studio shows'));
    return;
  }
  const clip = await preparedClip(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, false);
  if (clip === null) return;
  sendToBridge(id, () => collectSoundData(id, label, clip.pcm, clip.rateHz));
}

function startListening(overlapFactor, minimumConfidence, session) {
  if (model === null) {
    post(error(null, ERROR_CODES.NOT_READY, 'the classifier is not ready yet'));
    return;
  }
  try {
    listening = {
      session,
      listener: new Listener(model.windowSamples, overlapFactor),
      overlapFactor,
      minimumConfidence,
      warned: false,
      inFlight: false,
    };
  } catch (err) {
    listening = null;
    post(error(`listening-${session}`, ERROR_CODES.INVALID_ARGUMENT, err.message));
  }
}

function listenChunk(base64Pcm16, sampleRateHz, session) {
  if (listening === null || listening.session !== session) return; // sent before a stop
  const l = listening;
  try {
    if (sampleRateHz !== model.sampleRateHz) {
      listening = null;
      post(error(`listening-${l.session}`, ERROR_CODES.CANNOT_PREPARE_AUDIO, `listening needs audio at ${model.sampleRateHz} Hz, got ${sampleRateHz} Hz`));
      return;
    }
    if (l.listener.push(pcm16ToFloat32(base64ToBytes(base64Pcm16))) > 0) classifyLatestWindow(l);
  } catch (err) {
    post(error(`listening-${l.session}`, ERROR_CODES.CANNOT_PREPARE_AUDIO, `the audio cannot be prepared: ${err.message}`));
  } finally {
    // Java sends the audio gathered meanwhile only after this: so chunks never queue up here.
    post(listenChunkDone(l.session));
  }
}

function classifyLatestWindow(l) {
  if (l.inFlight) return; // bridge mode: the window before is still with the bridge
  const window = l.listener.takeLatest();
  if (window === null) return;
  const id = `listening-${l.session}-${window.number}`;
  if (l.listener.skipped > 0 && !l.warned) {
    l.warned = true;
    const hopMs = Math.round((1000 * l.listener.hop) / model.sampleRateHz);
    post(
      error(
        `listening-${l.session}`,
        ERROR_CODES.LISTENING_BEHIND,
        `this phone classifies more slowly than OverlapFactor ${l.overlapFactor} asks (a window ` +
          `every ${hopMs} ms), so it skips windows and classifies the newest; a lower ` +
          'OverlapFactor keeps up',
      ),
    );
  }
  if (bridge !== null) {
    if (bridge.open && sendToBridge(id, () => classifySoundData(id, window.samples, model.sampleRateHz))) {
      l.inFlight = true;
    }
    return;
  }
  try {
    const result = classify(model, window.samples);
    if (result[0][1] >= l.minimumConfidence) post(gotClassification(id, result));
  } catch (err) {
    post(error(id, ERROR_CODES.CLASSIFICATION_FAILED, `classification failed: ${err.message}`));
  }
}

window.pac = {
  classify: (id, pcmUrl, sampleRateHz, firstModelSample = -1, totalModelSamples = -1) => {
    classifyRequest(String(id), pcmUrl, sampleRateHz, firstModelSample, totalModelSamples);
  },
  collect: (id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, label) => {
    collectRequest(String(id), pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, String(label));
  },
  startListening,
  listenChunk,
  useBridge,
  stopListening: () => {
    listening = null;
  },
};
post(pageStarted());
start();
