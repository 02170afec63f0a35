/**
 * The messages between the extension's Java side and the JS runtime in its
 * WebView: declared once here, documented in docs/extension.md.
 *
 * JS -> Java: one call, `PersonalAudioClassifier.post(json)`, on the object
 * that Java adds with addJavascriptInterface. `json` is one of the objects
 * made below; they have the shapes of the companion bridge's server messages
 * and of the component's events:
 *
 *   {"type": "ClassifierReady", "labels": [...], "model": "<name>"}
 *   {"type": "GotClassification", "id": "<request id>", "result": [[label, confidence], ...]}
 *   {"type": "Error", "id": "<request id>" | null, "code": <int>, "message": "..."}
 *
 * Java -> JS, through evaluateJavascript:
 *
 *   pac.classify(id, pcmUrl, sampleRateHz)   Java has decoded a file with MediaCodec to
 *       16-bit little-endian mono PCM and serves it at pcmUrl (an intercepted asset
 *       URL), so no clip passes through a JavaScript string
 *   pac.startListening(overlapFactor, minimumConfidence)
 *   pac.listenChunk(base64Pcm16, sampleRateHz)   one AudioRecord chunk (about 0.1 s)
 *   pac.stopListening()
 *   pac.useBridge(bridgeUrl)   "ws://HOST:PORT?code=CODE" sends clips and listening windows
 *       to `pac bridge` instead (docs/bridge-protocol.md); "" returns to the local model
 *
 * While listening, a window is classified every hop (listening.js), and its
 * GotClassification is posted (id "listening-N") when its top confidence
 * reaches minimumConfidence.
 */

import ERROR_TABLE from '../../error_codes.json' with { type: 'json' };

/** The name Java gives the interface object (addJavascriptInterface). */
export const JAVA_INTERFACE = 'PersonalAudioClassifier';

/**
 * Error codes of the Error event, by name: the one list in extension/error_codes.json
 * (Java's ErrorCodes.java is checked against it; docs/extension.md shows it).
 */
export const ERROR_CODES = Object.freeze(
  Object.fromEntries(ERROR_TABLE.codes.map(({ name, code }) => [name, code])),
);

export function classifierReady(labels, model) {
  return { type: 'ClassifierReady', labels: [...labels], model };
}

export function gotClassification(id, result) {
  return { type: 'GotClassification', id, result };
}

export function error(id, code, message) {
  return { type: 'Error', id: id ?? null, code, message: String(message) };
}
