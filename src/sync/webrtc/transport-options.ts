/**
 * What the WebRTC transport is given and what it shows: its options (checked before anything
 * starts), its status, and its public surface.
 */
import type { PeerId, SyncLogger, Timers, Transport } from '../ports';
import type { Clock } from '../../lib/deps';
import type { BufferLimits } from './data-channel';
import { networkKeyIssues, type NetworkKeyIssue } from './network-keys';
import {
  isPeerId,
  type OnlineSource,
  type SignalingSocketFactory,
  type SignalingState,
} from './signaling-client';

export interface WebRtcTransportOptions {
  /** `ws:`/`wss:` URLs of y-webrtc-compatible signaling servers; every one is used. */
  readonly signalingUrls: readonly string[];
  readonly networkName: string;
  /** The invite's shared secret; never sent anywhere. */
  readonly networkSecret: string;
  /** This device's id, announced to peers so a reloaded device replaces its older connection. */
  readonly deviceId: string;
  /**
   * A23: retire a device's older connection only once the engine has authenticated the newer
   * one (`Channel.authenticated`), not on the announced id alone. The app sets it: its engine
   * always authenticates.
   */
  readonly replaceOnlyWhenAuthenticated?: boolean;
  /** Random per session by default; never derived from a person, facility or device name. */
  readonly peerId?: string;
  /** STUN/TURN servers. Default none: host candidates only (same LAN, or tests on loopback). */
  readonly iceServers?: RTCIceServer[];
  readonly logger?: SyncLogger;
  readonly timers?: Timers;
  readonly clock?: Clock;
  /** A float in [0, 1), for jitter. */
  readonly random?: () => number;
  /** Default: the global RTCPeerConnection. */
  readonly RTCPeerConnection?: typeof RTCPeerConnection;
  /** Default: the global WebSocket. */
  readonly createSocket?: SignalingSocketFactory;
  readonly online?: OnlineSource;
  /** An attempt that has not opened its data channel by then is abandoned. */
  readonly connectTimeoutMs?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Consecutive failed attempts after which a peer is forgotten until it announces again. */
  readonly maxRetries?: number;
  /** First re-announce interval (backed off while settled, L9), so peers that missed each other meet again. */
  readonly reannounceMs?: number;
  /** Bad signals from one peer before it is ignored for `ignoreMs`. */
  readonly badSignalLimit?: number;
  readonly ignoreMs?: number;
  readonly bufferLimits?: BufferLimits;
  /**
   * Peer connections (connecting or open) this device holds at most (L2); well under the
   * browser's own cap. Peers beyond it wait in line. Default 24.
   */
  readonly maxPeerConnections?: number;
}

export type WebRtcPeerState = 'connecting' | 'connected' | 'closed';

export interface WebRtcPeerStatus {
  readonly peerId: PeerId;
  /** Known once the peer announced itself or offered. */
  readonly deviceId: string | undefined;
  readonly state: WebRtcPeerState;
  /** When it entered `state` (ms since the epoch). */
  readonly since: number;
}

export interface WebRtcStatus {
  readonly signaling: SignalingState;
  readonly peers: readonly WebRtcPeerStatus[];
}

export interface WebRtcTransport extends Transport {
  readonly peerId: PeerId;
  /** Derives the network keys, connects to signaling and announces this peer. */
  start(): Promise<void>;
  /** Closes every peer connection and leaves signaling (no retries until `start()`). */
  stop(): void;
  /** Skips every backoff wait: signaling and peer connections are tried again now. */
  reconnect(): void;
  status(): WebRtcStatus;
  onStatus(listener: (status: WebRtcStatus) => void): () => void;
  /** Live RTCPeerConnections (connecting or open): at most one per remote device. */
  peerConnectionCount(): number;
}

export interface WebRtcOptionIssue {
  readonly field:
    NetworkKeyIssue['field'] | 'signalingUrls' | 'deviceId' | 'peerId' | 'RTCPeerConnection';
  readonly rule: NetworkKeyIssue['rule'] | 'invalid_url' | 'invalid' | 'unavailable';
}

export function validateOptions(options: WebRtcTransportOptions): WebRtcOptionIssue[] {
  const issues: WebRtcOptionIssue[] = [
    ...networkKeyIssues(options.networkName, options.networkSecret),
  ];
  if (options.signalingUrls.length === 0)
    issues.push({ field: 'signalingUrls', rule: 'non_empty' });
  for (const url of options.signalingUrls) {
    if (!/^wss?:\/\/[^\s]+$/.test(url))
      issues.push({ field: 'signalingUrls', rule: 'invalid_url' });
  }
  if (options.deviceId.length === 0) issues.push({ field: 'deviceId', rule: 'non_empty' });
  else if (options.deviceId.length > 128) issues.push({ field: 'deviceId', rule: 'too_long' });
  if (options.peerId !== undefined && !isPeerId(options.peerId)) {
    issues.push({ field: 'peerId', rule: 'invalid' });
  }
  if (!options.RTCPeerConnection && typeof globalThis.RTCPeerConnection !== 'function') {
    issues.push({ field: 'RTCPeerConnection', rule: 'unavailable' });
  }
  return issues;
}
