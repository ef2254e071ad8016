import { describe, expect, it } from 'vitest';
import { validateNetworkSettings } from '../../../src/domain/schemas/network-settings';

const good = {
  networkName: 'Kinondoni CTCs',
  secret: 'correct horse battery',
  signalingUrls: 'ws://127.0.0.1:4444, wss://signal.example.org',
  iceUrls: '',
  iceUsername: '',
  iceCredential: '',
};

describe('network settings', () => {
  it('accepts a name, a secret and several signaling URLs', () => {
    const result = validateNetworkSettings(good);
    expect(result).toEqual({
      ok: true,
      value: {
        networkName: 'Kinondoni CTCs',
        secret: 'correct horse battery',
        signalingUrls: ['ws://127.0.0.1:4444', 'wss://signal.example.org'],
        iceServers: [],
        relay: false,
      },
    });
  });

  it('names every problem: short secret, http URL, TURN without credentials', () => {
    const result = validateNetworkSettings({
      ...good,
      networkName: 'ab',
      secret: 'short',
      signalingUrls: 'http://example.org',
      iceUrls: 'turn:turn.example.org:3478',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((i) => `${i.field}:${i.rule}`)).toEqual([
      'networkName:too_short',
      'secret:too_short',
      'signalingUrls:invalid_format',
      'iceUsername:required',
    ]);
  });

  it('keeps TURN credentials with the ICE URLs', () => {
    const result = validateNetworkSettings({
      ...good,
      iceUrls: 'stun:stun.example.org:3478 turn:turn.example.org:3478',
      iceUsername: 'clinic',
      iceCredential: 's3cret',
    });
    expect(result.ok && result.value.iceServers).toEqual([
      {
        urls: ['stun:stun.example.org:3478', 'turn:turn.example.org:3478'],
        username: 'clinic',
        credential: 's3cret',
      },
    ]);
  });
});
