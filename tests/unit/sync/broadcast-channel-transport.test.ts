import { afterEach, describe, expect, it } from 'vitest';
import { stopOnPageHide } from '../../../src/app/peer-transport';
import { createSyncEngine, type SyncEngine } from '../../../src/sync/engine';
import { createMemoryHost } from '../../../src/sync/memory-host';
import type { Channel, Transport } from '../../../src/sync/ports';
import {
  createBroadcastChannelTransport,
  PEER_SILENT,
  type BroadcastTransportOptions,
} from '../../../src/sync/transports/broadcast-channel';
import { runTransportConformance } from './transport-conformance';
import { FAC_A, manualTimers, patient, sortedVisits, writeVisit } from './harness';

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

interface Tab {
  transport: Transport & { start(): void; stop(): void };
  engine: SyncEngine;
  time: ReturnType<typeof manualTimers>;
  /** The tab's own BroadcastChannel, to kill it without a goodbye. */
  raw: () => BroadcastChannel;
  channels: Map<string, Channel & { readonly closed: boolean }>;
  /** Peers whose channel carried at least one frame (their hello). */
  heard: Set<string>;
  closes: string[];
}

const openTabs: Tab[] = [];
afterEach(() => {
  for (const tab of openTabs.splice(0)) {
    tab.engine.stop();
    tab.transport.stop();
  }
});

let lifecycleCounter = 0;

function openTab(
  name: string,
  peerId: string,
  wrap: (t: Tab['transport']) => Tab['transport'] = (t) => t,
  options: Partial<BroadcastTransportOptions> = {},
): Tab {
  const time = manualTimers();
  let raw: BroadcastChannel | undefined;
  const transport = wrap(
    createBroadcastChannelTransport({
      name,
      peerId,
      timers: time,
      clock: { now: () => time.now() },
      keepaliveMs: 1_000,
      silenceMs: 5_000,
      createChannel: (channelName) => (raw = new BroadcastChannel(channelName)),
      ...options,
    }),
  );
  const engine = createSyncEngine({
    host: createMemoryHost(),
    deviceId: 'phone-1',
    facility: FAC_A,
    transports: [transport],
  });
  const channels: Tab['channels'] = new Map();
  const closes: string[] = [];
  const heard = new Set<string>();
  transport.onPeerConnected((peer, channel) => {
    channels.set(peer, channel as Channel & { readonly closed: boolean }); // a ChannelBase
    channel.onMessage(() => heard.add(peer));
    channel.onClose((reason) => closes.push(`${peer}:${reason}`));
  });
  transport.start();
  const tab: Tab = {
    transport,
    engine,
    time,
    raw: () => raw as BroadcastChannel,
    channels,
    heard,
    closes,
  };
  openTabs.push(tab);
  return tab;
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !condition(); i++) await tick();
  return condition();
}

/** Three tabs of one device, all connected to each other, every session past its hello. */
async function threeTabs(wrapA?: (t: Tab['transport']) => Tab['transport']) {
  const name = `pamoja-lifecycle-${process.pid}-${lifecycleCounter++}`;
  const a = openTab(name, 'tab-a', wrapA);
  const b = openTab(name, 'tab-b');
  const c = openTab(name, 'tab-c');
  expect(await until(() => [a, b, c].every((tab) => tab.heard.size === 2))).toBe(true);
  for (let i = 0; i < 5; i++) await tick(); // the hellos are handled on a promise queue
  return { a, b, c };
}

/** Asks for a record nobody holds; `outcome()` is undefined while the request is still open. */
function askForUnheldRecord(tab: Tab) {
  let outcome: string | undefined;
  void tab.engine.request(patient(FAC_A, 777), { timeoutMs: 60_000 }).then((result) => {
    outcome = result.ok ? 'received' : result.error;
  });
  return () => outcome;
}

describe('a closed tab ends its sessions (lifecycles)', () => {
  it('L4 a tab that is hidden for good (pagehide) says goodbye: requests in other tabs end not-found', async () => {
    const page = new EventTarget();
    const { a, b } = await threeTabs((t) => stopOnPageHide(t, page));
    page.dispatchEvent(new Event('pagehide'));
    a.raw().close(); // the page is gone: it answers nothing any more
    const outcome = askForUnheldRecord(b);
    // Tab c says it does not hold it, and tab a said goodbye: nobody else is left to wait for.
    expect(await until(() => outcome() !== undefined)).toBe(true);
    expect(outcome()).toBe('not-found');
    expect(b.closes).toEqual(['tab-a:stopped']);
  });

  it('L4 a page restored from the back-forward cache (pageshow) joins its tabs again', async () => {
    const page = new EventTarget();
    const { a, b } = await threeTabs((t) => stopOnPageHide(t, page));
    page.dispatchEvent(new Event('pagehide'));
    expect(await until(() => b.closes.includes('tab-a:stopped'))).toBe(true);
    page.dispatchEvent(new Event('pageshow'));
    expect(await until(() => a.channels.get('tab-b')?.closed === false)).toBe(true);
    expect(await until(() => b.channels.get('tab-a')?.closed === false)).toBe(true);
  });

  it('L5 a tab that dies without a goodbye is closed as silent: requests end not-found, not timeout', async () => {
    const { a, b, c } = await threeTabs();
    a.raw().close(); // a crashed renderer: no leave, no more pings
    const outcome = askForUnheldRecord(b);
    for (let i = 0; i < 20; i++) await tick();
    expect(outcome()).toBeUndefined(); // tab c declined; b waits for a, which will never answer
    // The live tabs keep pinging each other, so only the dead one falls silent.
    for (let second = 0; second < 7 && outcome() === undefined; second++) {
      c.time.advance(1_000);
      await tick();
      b.time.advance(1_000);
      for (let i = 0; i < 10; i++) await tick();
    }
    expect(outcome()).toBe('not-found');
    expect(b.closes).toEqual([`tab-a:${PEER_SILENT}`]);
    expect(b.channels.get('tab-c')?.closed).toBe(false);
  });

  it('L6 a live tab taken for silent (throttled in the background) is welcomed back on its next ping', async () => {
    const { a, b } = await threeTabs();
    // Only b's clock runs: a and c look silent to b, though both are alive.
    b.time.advance(6_000);
    expect(await until(() => b.closes.length === 2)).toBe(true);
    expect(await until(() => a.closes.includes(`tab-b:${PEER_SILENT}`))).toBe(true);
    a.time.advance(1_000); // a pings
    expect(await until(() => b.channels.get('tab-a')?.closed === false)).toBe(true);
    expect(await until(() => a.channels.get('tab-b')?.closed === false)).toBe(true);
  });
});
