import { describe, expect, it } from 'vitest';
import { createSyncEngine } from '../../../src/sync/engine';
import { createMemoryHost } from '../../../src/sync/memory-host';
import { createBroadcastChannelTransport } from '../../../src/sync/transports/broadcast-channel';
import { runTransportConformance } from './transport-conformance';
import { FAC_A, patient, sortedVisits, writeVisit } from './harness';

let counter = 0;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

runTransportConformance('BroadcastChannel', () => {
  const name = `pamoja-test-${process.pid}-${counter++}`;
  const a = createBroadcastChannelTransport({ name, peerId: 'tab-a' });
  const b = createBroadcastChannelTransport({ name, peerId: 'tab-b' });
  a.start();
  b.start();
  return Promise.resolve({
    a,
    b,
    aId: 'tab-a',
    bId: 'tab-b',
    flush: tick,
    cut: () => {
      b.stop();
      return Promise.resolve();
    },
    restore: () => {
      b.start();
      return Promise.resolve();
    },
    teardown: () => {
      a.stop();
      b.stop();
      return Promise.resolve();
    },
  });
});

describe('BroadcastChannel between two tabs of one device', () => {
  it('B1 two tabs with the same device id keep a patient document in sync', async () => {
    const name = `pamoja-tabs-${process.pid}`;
    const tabs = ['tab-1', 'tab-2'].map((peerId) => {
      const host = createMemoryHost();
      const transport = createBroadcastChannelTransport({ name, peerId });
      const engine = createSyncEngine({
        host,
        deviceId: 'phone-1',
        facility: FAC_A,
        transports: [transport],
      });
      transport.start();
      return { host, transport, engine };
    });
    const [one, two] = tabs as [(typeof tabs)[0], (typeof tabs)[0]];
    writeVisit(one.host, patient(FAC_A, 1), 'typed in tab 1');
    for (let i = 0; i < 100 && !two.host.has(patient(FAC_A, 1)); i++) await tick();
    writeVisit(two.host, patient(FAC_A, 1), 'typed in tab 2');
    for (let i = 0; i < 100 && sortedVisits(one.host, patient(FAC_A, 1)).length < 2; i++)
      await tick();
    expect(sortedVisits(one.host, patient(FAC_A, 1))).toEqual(['typed in tab 1', 'typed in tab 2']);
    expect(sortedVisits(two.host, patient(FAC_A, 1))).toEqual(['typed in tab 1', 'typed in tab 2']);
    for (const tab of tabs) {
      tab.engine.stop();
      tab.transport.stop();
    }
  });
});
