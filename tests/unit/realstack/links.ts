/**
 * The links of a real-stack world, as the app makes them: the tab link between tabs of one
 * device (the app's BroadcastChannel transport, here a seeded memory network per device) and the
 * peer link to other devices (the app's WebRTC transport, run by one tab per device: the first
 * to ask leads, the next takes over when it stops, as the Web Lock in
 * `src/app/peer-transport.ts` does). Also the device's Web Locks, for the locks the app takes.
 */
import type { ExclusiveLock } from '../../../src/app/clinic-service';
import type { LeaseLocks } from '../../../src/app/client-id-lease';
import type { PeerTransport, TabTransport } from '../../../src/app/network-service';
import type { MemoryNetwork, PeerId } from '../../../src/sync';
import type { Channel } from '../../../src/sync/ports';

export interface Leader {
  readonly tabId: string;
  lead(): void;
}

/** What the links need of a device. */
export interface LinkedDevice {
  readonly name: string;
  /** The links between this device's tabs. */
  readonly tabNet: MemoryNetwork;
  /** Tabs whose tab link is started (linked to each other). */
  readonly linkedTabs: Set<string>;
  /** Tabs waiting for the peer-transport lock; the first one leads. */
  readonly leaderQueue: Leader[];
}

/**
 * Web Locks of one device, enough for the client-id lease: exclusive, FIFO, with `ifAvailable`
 * (the callback gets null when the lock is held).
 */
export function deviceLocks(): LeaseLocks {
  const tails = new Map<string, Promise<void>>();
  function request<T>(
    name: string,
    optionsOrCallback: { ifAvailable: true } | ((lock: unknown) => Promise<T>),
    maybeCallback?: (lock: unknown) => Promise<T>,
  ): Promise<T> {
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    if (!callback) throw new Error('no lock callback');
    const ifAvailable = typeof optionsOrCallback !== 'function';
    if (ifAvailable && tails.has(name)) return callback(null);
    const run = (tails.get(name) ?? Promise.resolve()).then(() => callback({ name }));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(name, tail);
    void tail.then(() => {
      if (tails.get(name) === tail) tails.delete(name);
    });
    return run;
  }
  return { request };
}

/** The serial-allocation lock shared by the tabs of one device. */
export function serialLock(): ExclusiveLock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(_name: string, run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  };
}

/** Tab and peer links over `net`, the network between devices. */
export function createLinks(net: MemoryNetwork): {
  tabLink(device: LinkedDevice, tabId: string): TabTransport;
  peerLink(device: LinkedDevice, tabId: string): PeerTransport;
} {
  function tabLink(device: LinkedDevice, tabId: string): TabTransport {
    const node = device.tabNet.node(tabId);
    return {
      onPeerConnected: (listener) => node.onPeerConnected(listener),
      start() {
        if (device.linkedTabs.has(tabId)) return;
        for (const other of device.linkedTabs) device.tabNet.link(tabId, other);
        device.linkedTabs.add(tabId);
      },
      stop() {
        if (!device.linkedTabs.delete(tabId)) return;
        for (const other of device.linkedTabs) device.tabNet.unlink(tabId, other);
      },
    };
  }

  function release(device: LinkedDevice, leader: Leader): void {
    const index = device.leaderQueue.indexOf(leader);
    if (index < 0) return;
    device.leaderQueue.splice(index, 1);
    if (index !== 0) return;
    const next = device.leaderQueue[0];
    if (next) next.lead();
    else net.setOnline(device.name, false);
  }

  function peerLink(device: LinkedDevice, tabId: string): PeerTransport {
    const listeners = new Set<(peer: PeerId, channel: Channel) => void>();
    const handedOut = new Set<Channel>();
    let off: (() => void) | undefined;
    const leader: Leader = {
      tabId,
      lead() {
        off = net.node(device.name).onPeerConnected((peer, channel) => {
          handedOut.add(channel);
          channel.onClose(() => handedOut.delete(channel));
          for (const listener of [...listeners]) listener(peer, channel);
        });
        net.setOnline(device.name, true);
        // The previous leader's connections closed with it: dial again.
        net.reconnect();
      },
    };
    return {
      onPeerConnected(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      start() {
        if (!device.leaderQueue.includes(leader)) {
          device.leaderQueue.push(leader);
          if (device.leaderQueue[0] === leader) leader.lead();
        }
        return Promise.resolve();
      },
      stop() {
        off?.();
        off = undefined;
        for (const channel of [...handedOut]) channel.close('stopped');
        handedOut.clear();
        release(device, leader);
      },
      reconnect: () => undefined,
      signalingState: () => (off ? 'connected' : 'off'),
      peerConnectionCount: () => handedOut.size,
      onChange: () => () => undefined,
    };
  }

  return { tabLink, peerLink };
}
