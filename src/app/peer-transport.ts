/**
 * The browser's peer transport: WebRTC, run by one tab per device. Tabs of a device share its
 * storage and sync with each other over BroadcastChannel, so only the tab holding the Web Lock
 * connects to other devices; another tab takes over when that one closes.
 */
import {
  createBroadcastChannelTransport,
  type PeerId,
  type SyncLogger,
  type Channel,
} from '../sync';
import { createWebRtcTransport, type WebRtcTransport } from '../sync/webrtc';
import type { PeerTransport, TabTransport } from './network-service';
import { webLocks } from './web-locks';
import type { DeviceProfile, NetworkSettings, SignalingState } from './views';

const lockName = 'pamoja-peer-transport';

export function createBrowserPeerTransport(
  settings: NetworkSettings,
  profile: DeviceProfile,
  logger: SyncLogger,
): PeerTransport | undefined {
  const created = createWebRtcTransport({
    signalingUrls: settings.signalingUrls,
    networkName: settings.networkName,
    networkSecret: settings.secret,
    deviceId: profile.deviceId,
    iceServers: settings.iceServers,
    // A23: every session of the app authenticates, so a claimed id alone replaces nothing.
    replaceOnlyWhenAuthenticated: true,
    logger,
  });
  if (!created.ok) {
    logger.log('warn', 'webrtc-unavailable', { issues: created.error });
    return undefined;
  }
  const webrtc: WebRtcTransport = created.value;
  let leading = false;
  let stopped = false;
  let releaseLock: (() => void) | undefined;
  const changeListeners = new Set<() => void>();
  const notify = () => {
    for (const listener of changeListeners) listener();
  };
  webrtc.onStatus(notify);

  async function lead() {
    leading = true;
    notify();
    await webrtc.start();
  }

  return {
    onPeerConnected(listener: (peer: PeerId, channel: Channel) => void) {
      return webrtc.onPeerConnected(listener);
    },
    async start() {
      stopped = false;
      const locks = webLocks();
      if (!locks) return lead();
      void locks.request(
        lockName,
        () =>
          new Promise<void>((release) => {
            if (stopped) return release();
            releaseLock = release;
            lead().catch((error: unknown) =>
              logger.log('warn', 'webrtc-start-failed', { error: String(error) }),
            );
          }),
      );
    },
    stop() {
      stopped = true;
      webrtc.stop();
      leading = false;
      releaseLock?.();
      releaseLock = undefined;
      notify();
    },
    reconnect: () => webrtc.reconnect(),
    signalingState(): SignalingState {
      if (!leading) return 'off';
      const state = webrtc.status().signaling;
      return state === 'stopped' ? 'off' : state;
    },
    // Open connections only: an attempt still dialling a device that left is not a connection.
    peerConnectionCount: () =>
      webrtc.status().peers.filter((peer) => peer.state === 'connected').length,
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
}

export function createTabTransport(databaseName: string): TabTransport | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const transport = createBroadcastChannelTransport({ name: `pamoja-sync:${databaseName}` });
  return typeof window === 'undefined' ? transport : stopOnPageHide(transport, window);
}

/** The page events `stopOnPageHide` listens to (`window` in the app, an EventTarget in tests). */
export type PageEvents = Pick<EventTarget, 'addEventListener'>;

/**
 * L4: a tab that goes away says goodbye, so other tabs end its session at once instead of
 * asking it for records it will never send. `pagehide` is the last event a closing (or
 * back-forward cached) page reliably gets; a page restored from that cache (`pageshow`) joins
 * again if it was running.
 */
export function stopOnPageHide(transport: TabTransport, page: PageEvents): TabTransport {
  let running = false;
  let hidden = false;
  page.addEventListener('pagehide', () => {
    if (!running || hidden) return;
    hidden = true;
    transport.stop();
  });
  page.addEventListener('pageshow', () => {
    if (!hidden) return;
    hidden = false;
    if (running) transport.start();
  });
  return {
    onPeerConnected: (listener) => transport.onPeerConnected(listener),
    start() {
      running = true;
      if (!hidden) transport.start();
    },
    stop() {
      running = false;
      transport.stop();
    },
  };
}
