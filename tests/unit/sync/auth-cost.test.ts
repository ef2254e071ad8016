/**
 * Issue 8 point 11: authentication keeps reconnects cheap. C1 with auth on: an idle reconnect of
 * 5,000 shared documents, challenge and proof included, still costs at most 2 KiB.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import { FAC_A, network, patient, register, writeVisit, type Replica } from './harness';
import { Membership, createAuthReplica, makeDevice, settle } from './auth-harness';

const bytesSent = (...replicas: Replica[]): number =>
  replicas.reduce((sum, r) => sum + r.engine.traffic().bytesSent, 0);

describe('cost of reconnecting with authentication', () => {
  it('C1 A17: an authenticated idle reconnect of 5,000 shared documents costs at most 2 KiB', async () => {
    const net = createMemoryNetwork({ seed: 22 });
    const da = await makeDevice({ facilityCode: FAC_A as never, slot: 1 });
    const db = await makeDevice({ facilityCode: FAC_A as never, slot: 2 });
    const membership = new Membership([da, db]);
    const a = createAuthReplica(net, 'dev-a', da, membership);
    const b = createAuthReplica(net, 'dev-b', db, membership);
    const ids: DocId[] = [network, register(FAC_A)];
    for (let i = 0; ids.length < 5_000; i++) ids.push(patient(FAC_A, i));
    for (const id of ids) {
      writeVisit(a.host, id, `seed ${id}`);
      Y.applyUpdate(b.host.doc(id), Y.encodeStateAsUpdate(a.host.doc(id)));
    }
    net.link('dev-a', 'dev-b');
    await settle(net, [a, b]);
    expect(a.engine.status().peers[0]?.connected).toBe(true);

    net.setOnline('dev-a', false);
    await settle(net, [a, b]);
    const before = bytesSent(a, b);
    net.setOnline('dev-a', true);
    await settle(net, [a, b]);
    const idle = bytesSent(a, b) - before;
    expect(a.engine.status().peers[0]?.connected).toBe(true);
    expect(b.received.filter((kind) => kind === 'auth').length).toBeGreaterThanOrEqual(4);
    expect(idle).toBeLessThanOrEqual(2_048);
    // Printed so the figure is visible beside the unauthenticated one of cost.test.ts.
    console.info(`authenticated idle reconnect of 5,000 documents: ${idle} bytes`);
  });
});
