/**
 * L7: asking the network for a record says "arrived" only when the record (its registration)
 * did. Device B (real repository, store and network service) asks a bare peer engine that holds
 * the patient's document id with nothing usable in it.
 */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { createMemoryNetwork, silentLogger, type Transport } from '../../../src/sync';
import { createSyncEngine } from '../../../src/sync/engine';
import { createMemoryHost } from '../../../src/sync/memory-host';
import { createNetworkService, type NetworkController } from '../../../src/app/network-service';
import { createReplicaHost } from '../../../src/app/replica-host';
import { createClinicService } from '../../../src/app/clinic-service';
import { DocumentRepository } from '../../../src/crdt/repository';
import { patientDocId } from '../../../src/crdt/doc-id';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { sequentialIds } from '../../../src/app/ids';
import type { ClinicService } from '../../../src/app/views';
import type { CtcId } from '../../../src/domain/types';
import { setupInput, testClock } from './harness';

const ctcId = '01020003000042' as CtcId;

async function asker(net: ReturnType<typeof createMemoryNetwork>) {
  const clock = testClock('2026-03-10T09:00:00.000Z');
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock });
  const transport: Transport = net.node('b');
  const started: { network?: NetworkController } = {};
  const service: ClinicService = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds('b'),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
      requestPersistence: () => Promise.resolve(false),
    },
    onProfileReady: (profile) => started.network!.start(profile),
  });
  const network = await createNetworkService({
    repo,
    store,
    host: createReplicaHost(repo, store, { isRelay: () => false }),
    clock,
    logger: silentLogger,
    defaultSignalingUrls: [],
    createPeerTransport: () => ({
      onPeerConnected: (listener) => transport.onPeerConnected(listener),
      start: () => Promise.resolve(),
      stop: () => undefined,
      reconnect: () => undefined,
      signalingState: () => 'connected',
      peerConnectionCount: () => 0,
      onChange: () => () => undefined,
    }),
    requestTimeoutMs: 5_000,
  });
  started.network = network;
  const saved = await network.saveSettings({
    networkName: 'Kinondoni',
    secret: 'a shared secret',
    signalingUrls: 'ws://127.0.0.1:4444',
    iceUrls: '',
    iceUsername: '',
    iceCredential: '',
    relay: false,
  });
  expect(saved.ok).toBe(true);
  const profile = await service.setupDevice({
    ...setupInput,
    facilityCode: '01020004',
    facilityName: 'Temeke CTC',
  });
  expect(profile.ok).toBe(true);
  return { service, network };
}

/** A peer that holds the patient's document id, filled (or not) by `fill`. */
function holder(net: ReturnType<typeof createMemoryNetwork>, fill: (doc: Y.Doc) => void) {
  const host = createMemoryHost();
  fill(host.doc(patientDocId(ctcId)));
  return createSyncEngine({
    host,
    deviceId: 'holder',
    facility: '01020003',
    transports: [net.node('holder')],
  });
}

describe('record requests (lifecycles)', () => {
  it('L7 an empty answer (a peer holding the id with nothing) is not-found, not "arrived"', async () => {
    const net = createMemoryNetwork({ seed: 7, delivery: 'microtask' });
    const b = await asker(net);
    const peer = holder(net, () => undefined);
    net.link('b', 'holder');
    const outcome = await b.network.requestRecord(ctcId);
    expect(outcome).toBe('not-found');
    expect(await b.service.getPatient(ctcId)).toBeUndefined();
    peer.stop();
  });
});
