/**
 * The messages between the extension's Java side and the JS runtime in its
 * WebView: declared once here, documented in docs/extension.md.
 *
 * JS -> Java: one call, `PersonalAudioClassifier.post(json)`, on the object
 * that Java adds with addJavascriptInterface. `json` is one of the objects
 * made below; they have the shapes of the companion bridge's server messages
 * and of the component's events:
 *
 *   {"type": "PageStarted"}   the page's script runs (first of all; Java gives the page 10 s)
 *   {"type": "ClassifierReady", "labels": [...], "model": "<name>"}
 *   {"type": "GotClassification", "id": "<request id>", "result": [[label, confidence], ...]}
 *   {"type": "Error", "id": "<request id>" | null, "code": <int>, "message": "..."}
 *   {"type": "ListenChunkDone", "id": "listening-<session>"}   a listenChunk is done with
 *   {"type": "SoundCollected", "id": "<request id>", "label": "...", "clip": "...", "clips": n}
 *       the bridge's answer to pac.collect, passed on as it came (protocol 1.1)
 *
 * Java -> JS, through evaluateJavascript:
 *
 *   pac.classify(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples)
 *       Java has decoded a file with MediaCodec to little-endian float32 mono PCM and serves
 *       it at pcmUrl (an intercepted asset URL), so no clip passes through a JavaScript
 *       string. For a clip longer than the model takes, Java decodes only the part the model
 *       uses (with a margin): firstModelSample is where that part starts in the whole clip at
 *       the model's rate, totalModelSamples the whole clip's length there; -1 and -1 otherwise.
 *   pac.collect(id, pcmUrl, sampleRateHz, firstModelSample, totalModelSamples, label)
 *       CollectSoundData: as pac.classify, but the clip goes to pac studio's project as a
 *       clip of label, through the bridge (BridgeUrl must be set; otherwise Error -32)
 *   pac.startListening(overlapFactor, minimumConfidence, session)
 *   pac.listenChunk(base64Pcm16, sampleRateHz, session)   the audio AudioRecord delivered
 *       since the last call. Java makes the next call only after ListenChunkDone.
 *   pac.stopListening()
 *   pac.useBridge(bridgeUrl)   "ws://HOST:PORT?code=CODE" sends clips and listening windows
 *       to `pac bridge` instead (docs/bridge-protocol.md); "" returns to the local model
 *
 * While listening, the newest window that fell due in a listenChunk is classified (id
 * "listening-<session>-<n>" for window n), and its GotClassification is posted when its top
 * confidence reaches minimumConfidence. Errors of a listening carry "listening-<session>".
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

export function pageStarted() {
  return { type: 'PageStarted' };
}

export function listenChunkDone(session) {
  return { type: 'ListenChunkDone', id: `listening-${session}` };
}
