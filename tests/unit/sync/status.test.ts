import { describe, expect, it } from 'vitest';
import { encodeMessage, messageToFrames, type Message } from '../../../src/sync/codec';
import type { SyncStatus } from '../../../src/sync/status';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  createReplica,
  helloDefaults,
  manualTimers,
  patient,
  register,
  writeVisit,
} from './harness';

describe('sync status as data', () => {
  it('V1 per peer and per facility: connected, last received, pending to send; plain data', async () => {
    const net = createMemoryNetwork({ seed: 41 });
    const timers = manualTimers();
    const a = createReplica(net, 'dev-a', FAC_A, { timers });
    createReplica(net, 'dev-b', FAC_B);
    createReplica(net, 'dev-b2', FAC_B);
    const seen: SyncStatus[] = [];
    a.engine.onStatus((status) => seen.push(status));
    timers.advance(1_000);
    net.link('dev-a', 'dev-b');
    net.link('dev-a', 'dev-b2');
    await net.flush();
    const connected = a.engine.status();
    expect(connected.peers.map((p) => [p.deviceId, p.facility, p.connected])).toEqual([
      ['dev-b', FAC_B, true],
      ['dev-b2', FAC_B, true],
    ]);
    expect(connected.peers[0]?.lastSyncedAt).toBe(1_000);
    expect(seen.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(connected))).toEqual(connected);

    net.setOnline('dev-b', false);
    await net.flush();
    timers.advance(1_000);
    writeVisit(a.host, patient(FAC_A, 1), 'only for A');
    writeVisit(a.host, register(FAC_A), 'everyone wants registers');
    await net.flush();
    const offline = a.engine.status();
    const b = offline.peers.find((p) => p.deviceId === 'dev-b');
    expect(b?.connected).toBe(false);
    expect(b?.lastCloseReason).toBe('transport-closed');
    // B does not want A's patient, so only the register waits for it.
    expect(b?.pendingToSend).toEqual([register(FAC_A)]);
    expect(offline.peers.find((p) => p.deviceId === 'dev-b2')?.pendingToSend).toEqual([]);
    expect(offline.facilities).toEqual([
      {
        facility: FAC_B,
        devices: ['dev-b', 'dev-b2'],
        connected: true,
        lastReceivedAt: null,
        lastSyncedAt: 1_000,
        pendingToSend: 1,
        behind: 0,
      },
    ]);

    net.setOnline('dev-b', true);
    timers.advance(1_000);
    await net.flush();
    const back = a.engine.status().peers.find((p) => p.deviceId === 'dev-b');
    expect(back?.pendingToSend).toEqual([]);
    expect(back?.lastSyncedAt).toBe(3_000);
    expect(seen[seen.length - 1]).toEqual(a.engine.status());
  });

  it('V2 last received and known-behind documents per peer', async () => {
    const net = createMemoryNetwork({ seed: 42 });
    const timers = manualTimers();
    const a = createReplica(net, 'dev-a', FAC_A, { timers });
    const b = createReplica(net, 'dev-b', FAC_A);
    net.link('dev-a', 'dev-b');
    await net.flush();
    timers.advance(5_000);
    writeVisit(b.host, patient(FAC_A, 3), 'from b');
    await net.flush();
    expect(a.engine.status().peers[0]?.lastReceivedAt).toBe(5_000);

    // A peer that claims a doc and never sends it leaves that doc "behind", even after it leaves.
    const send = (channel: { send(f: Uint8Array): void }, m: Message) =>
      messageToFrames(encodeMessage(m), 0).forEach((f) => channel.send(f));
    net.node('liar').onPeerConnected((_peer, channel) => {
      send(channel, {
        kind: 'hello',
        deviceId: 'liar',
        facility: FAC_A,
        relay: false,
        nonce: 9,
        ...helloDefaults,
        extras: [],
      });
      send(channel, {
        kind: 'reconcile',
        ranges: [
          {
            upper: null,
            mode: {
              type: 'list',
              items: [{ docId: patient(FAC_A, 8), digest: new Uint8Array(8) }],
            },
          },
        ],
      });
    });
    net.link('dev-a', 'liar');
    await net.flush();
    const liar = () => a.engine.status().peers.find((p) => p.deviceId === 'liar');
    expect(liar()?.behind).toEqual([patient(FAC_A, 8)]);
    expect(a.engine.status().facilities[0]?.behind).toBe(1);
    net.unlink('dev-a', 'liar');
    await net.flush();
    expect(liar()?.connected).toBe(false);
    expect(liar()?.behind).toEqual([patient(FAC_A, 8)]);
  });
});
