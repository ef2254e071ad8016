/**
 * L7: asking the network for a record says "arrived" only when the record (its registration)
 * did. Device B (real repository, store and network service) asks a bare peer engine that holds
 * the patient's document id with nothing usable in it.
 */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { createMemoryNetwork } from '../../../src/sync';
import { createSyncEngine } from '../../../src/sync/engine';
import { createMemoryHost } from '../../../src/sync/memory-host';
import { patientDocId } from '../../../src/crdt/doc-id';
import type { CtcId } from '../../../src/domain/types';
import { createNetworkedDevice } from './device';

const ctcId = '01020003000042' as CtcId;

function asker(net: ReturnType<typeof createMemoryNetwork>) {
  return createNetworkedDevice(net, {
    name: 'b',
    requestTimeoutMs: 5_000,
    setup: { facilityCode: '01020004', facilityName: 'Temeke CTC' },
  });
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
