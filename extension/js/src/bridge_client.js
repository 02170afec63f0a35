/**
 * Bridge mode: the WebView's own WebSocket to `pac bridge` on the laptop
 * (protocol 1.1, docs/bridge-protocol.md). Pure helpers here; webview.js wires
 * them to the socket and to Java.
 */

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1.1;

/** Reconnect delays: 0.5 s, doubling, at most 10 s. */
export function backoffMs(attempt) {
  return Math.min(10000, 500 * 2 ** attempt);
}

/**
 * Splits what BridgeUrl holds, `ws://HOST:PORT?code=CODE` (the QR code's text),
 * into the socket URL and the pairing code.
 * @returns {{url: string, code: string}}
 */
export function parseBridgeUrl(text) {
  let parsed;
  try {
    parsed = new URL(String(text).trim());
  } catch {
    throw new Error(`BridgeUrl ${JSON.stringify(text)} is not a URL like ws://192.168.1.20:8765?code=AB12CD`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new Error(`BridgeUrl must start with ws:// or wss://, got ${JSON.stringify(text)}`);
  }
  const code = parsed.searchParams.get('code');
  if (!code) throw new Error('BridgeUrl has no pairing code: add ?code=CODE as pac bridge prints it');
  parsed.search = '';
  return { url: parsed.toString(), code };
}

export function hello(code) {
  return { type: 'hello', code, client: 'App Inventor extension', protocol: PROTOCOL_VERSION };
}

/** A mono 16-bit PCM WAV file of `samples` (float32 in [-1, 1]) at `rateHz`. */
export function wavBytes(samples, rateHz) {
  const bytes = new ArrayBuffer(44 + 2 * samples.length);
  const view = new DataView(bytes);
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + 2 * samples.length, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rateHz, true);
  view.setUint32(28, 2 * rateHz, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, 2 * samples.length, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
    view.setInt16(44 + 2 * i, s, true);
  }
  return bytes;
}

export function bytesToBase64(bytes) {
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function classifySoundData(id, samples, rateHz) {
  return { type: 'ClassifySoundData', id, audio: bytesToBase64(wavBytes(samples, rateHz)) };
}

/** Protocol 1.1: the clip goes to pac studio's project as a clip of `label`. */
export function collectSoundData(id, label, samples, rateHz) {
  return { type: 'CollectSoundData', id, label, audio: bytesToBase64(wavBytes(samples, rateHz)) };
}
