import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  backoffMs,
  classifySoundData,
  collectSoundData,
  hello,
  parseBridgeUrl,
  wavBytes,
} from '../src/bridge_client.js';

describe('bridge client helpers', () => {
  it('parses the QR text into URL and code', () => {
    assert.deepEqual(parseBridgeUrl(' ws://192.168.1.20:8765?code=AB12CD '), {
      url: 'ws://192.168.1.20:8765/',
      code: 'AB12CD',
    });
  });

  it('names what is wrong with a BridgeUrl', () => {
    assert.throws(() => parseBridgeUrl('192.168.1.20'), /is not a URL like ws:/);
    assert.throws(() => parseBridgeUrl('http://x:1?code=A'), /must start with ws:\/\//);
    assert.throws(() => parseBridgeUrl('ws://x:1'), /no pairing code/);
  });

  it('backs off from 0.5 s to at most 10 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(backoffMs), [500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('writes a 16-bit mono WAV that holds the samples', () => {
    const wav = new DataView(wavBytes(Float32Array.from([0, 0.5, -1, 1]), 8000));
    assert.equal(wav.byteLength, 44 + 8);
    assert.equal(wav.getUint32(24, true), 8000);
    assert.deepEqual([0, 1, 2, 3].map((i) => wav.getInt16(44 + 2 * i, true)), [0, 16384, -32768, 32767]);
    const message = classifySoundData('7', new Float32Array(3), 16000);
    assert.equal(message.type, 'ClassifySoundData');
    assert.equal(Buffer.from(message.audio, 'base64').subarray(0, 4).toString(), 'RIFF');
  });
});

describe('protocol 1.1', () => {
  it('says hello as 1.1 and collects a clip into a label', () => {
    assert.equal(hello('AB12CD').protocol, 1.1);
    const message = collectSoundData('8', 'clap', Float32Array.from([0, 0.5]), 8000);
    assert.equal(message.type, 'CollectSoundData');
    assert.equal(message.id, '8');
    assert.equal(message.label, 'clap');
    const wav = Buffer.from(message.audio, 'base64');
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    assert.equal(wav.readUInt32LE(24), 8000);
    assert.equal(wav.readInt16LE(46), 16384);
  });
});
