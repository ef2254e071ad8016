import { describe, expect, it } from 'vitest';
import {
  deriveNetworkKeys,
  openJson,
  sealJson,
  type NetworkKeys,
} from '../../../src/sync/webrtc/network-keys';

async function keys(name: string, secret: string): Promise<NetworkKeys> {
  const derived = await deriveNetworkKeys(name, secret);
  if (!derived.ok) throw new Error(JSON.stringify(derived.error));
  return derived.value;
}

const NAME = 'Kilimanjaro CTC network';
const SECRET = 'q7Yt2mV9xR4pL8sK3nB6wE1z';

describe('network keys for signaling', () => {
  it('webrtc-keys 1: the same name and secret give the same topic on every device, and each can read the other', async () => {
    const one = await keys(NAME, SECRET);
    const two = await keys(NAME, SECRET);
    expect(one.topic).toBe(two.topic);
    const sealed = await sealJson(one, { type: 'announce', from: 'abc', device: 'phone-1' });
    expect(await openJson(two, sealed)).toEqual({
      ok: true,
      value: { type: 'announce', from: 'abc', device: 'phone-1' },
    });
  });

  it('webrtc-keys 2: the topic is an opaque hash that reveals neither the name nor the secret', async () => {
    const { topic } = await keys(NAME, SECRET);
    expect(topic).toMatch(/^[0-9a-f]{64}$/);
    for (const word of ['Kilimanjaro', 'kilimanjaro', 'CTC', 'network', SECRET]) {
      expect(topic).not.toContain(word.toLowerCase());
    }
    const sealed = await sealJson(await keys(NAME, SECRET), {
      facility: 'Moshi CTC',
      patient: '01-02-0100-000001',
    });
    expect(atob(sealed)).not.toContain('Moshi');
    expect(atob(sealed)).not.toContain('000001');
  });

  it('webrtc-keys 3: another secret or another name gives another topic, and its payloads do not open — as an error value, not a throw', async () => {
    const ours = await keys(NAME, SECRET);
    const otherSecret = await keys(NAME, `${SECRET}x`);
    const otherName = await keys(`${NAME} 2`, SECRET);
    expect(new Set([ours.topic, otherSecret.topic, otherName.topic]).size).toBe(3);
    const sealed = await sealJson(ours, { type: 'signal' });
    await expect(openJson(otherSecret, sealed)).resolves.toEqual({
      ok: false,
      error: 'undecryptable',
    });
    await expect(openJson(otherName, sealed)).resolves.toEqual({
      ok: false,
      error: 'undecryptable',
    });
  });

  it('webrtc-keys 4: tampered, truncated or non-string payloads are refused cleanly', async () => {
    const ours = await keys(NAME, SECRET);
    const sealed = await sealJson(ours, { type: 'signal', n: 1 });
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const flipped = btoa(String.fromCharCode(...bytes));
    await expect(openJson(ours, flipped)).resolves.toEqual({ ok: false, error: 'undecryptable' });
    for (const junk of [sealed.slice(0, 10), 'not base64!', '', 42, null, { data: sealed }]) {
      await expect(openJson(ours, junk)).resolves.toEqual({ ok: false, error: 'malformed' });
    }
  });

  it('webrtc-keys 5: every payload has a fresh IV: sealing the same message twice gives different ciphertext', async () => {
    const ours = await keys(NAME, SECRET);
    const a = await sealJson(ours, { same: true });
    const b = await sealJson(ours, { same: true });
    expect(a).not.toBe(b);
  });

  it('webrtc-keys 6: an empty name or secret is an error as data', async () => {
    expect(await deriveNetworkKeys('', '')).toEqual({
      ok: false,
      error: [
        { field: 'name', rule: 'non_empty' },
        { field: 'secret', rule: 'non_empty' },
      ],
    });
    expect(await deriveNetworkKeys(NAME, 'x'.repeat(2000))).toEqual({
      ok: false,
      error: [{ field: 'secret', rule: 'too_long' }],
    });
  });
});
