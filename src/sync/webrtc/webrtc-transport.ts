/**
 * The browser transport between devices: exactly one RTCPeerConnection per pair of devices, with
 * one reliable ordered data channel carrying every document's frames (docs/decisions/0011).
 * Peers find each other through y-webrtc-compatible signaling servers, under a topic derived
 * from the network secret and with every payload encrypted (network-keys.ts).
 *
 * Who offers is fixed: the peer with the lower peer id. The other side answers, so two peers
 * never offer to each other at once (no glare). An attempt that does not open within
 * `connectTimeoutMs` is abandoned and the initiator retries with backoff; so does it after a
 * connection is lost. Signals are accepted only from the peer and attempt they belong to.
 *
 * Lifecycles (docs/protocol.md §17): no listener's exception and no refused RTCPeerConnection
 * reaches signaling (L1); at most `maxPeerConnections` connections, half-open ones included, exist
 * at once, and peers beyond that wait in line (L2, connection-budget.ts).
 */
import { randomHex } from '../../lib/random-hex';
import type { Clock } from '../../lib/deps';
import { systemClock } from '../../lib/deps';
import { err, ok, type Result } from '../../lib/result';
import type { Channel, PeerId, SyncLogger, Timers } from '../ports';
import { silentLogger, systemTimers } from '../ports';
import { CloseReason } from '../reasons';
import { ConnectionBudget, DEFAULT_MAX_PEER_CONNECTIONS } from './connection-budget';
import { channelBindingFromSdp } from './channel-binding';
import { DataChannelPipe, defaultBufferLimits, type BufferLimits } from './data-channel';
import { deriveNetworkKeys } from './network-keys';
import {
  createSignalingClient,
  type SignalingAnnounce,
  type SignalingClient,
  type SignalingMessage,
} from './signaling-client';
import {
  validateOptions,
  type WebRtcOptionIssue,
  type WebRtcPeerState,
  type WebRtcStatus,
  type WebRtcTransport,
  type WebRtcTransportOptions,
} from './transport-options';
import { parseSignal, type Signal } from './signals';

/** A connection that was open at least this long resets the retry backoff when it ends. */
const STABLE_MS = 30_000;
/** Closed peers stay visible in status this long. */
const CLOSED_VISIBLE_MS = 5 * 60_000;
const MAX_PENDING_CANDIDATES = 64;
const REMEMBERED_ENDED_ATTEMPTS = 8;
const DATA_CHANNEL_LABEL = 'pamoja';
/**
 * L9: re-announces of a settled device (every known peer connected or given up, none dialling)
 * back off by doubling up to this; anything that unsettles it starts again at `reannounceMs`.
 */
const REANNOUNCE_MAX_MS = 60 * 60_000;

interface Attempt {
  readonly cid: string;
  readonly initiator: boolean;
  readonly pc: RTCPeerConnection;
  readonly dc: RTCDataChannel;
  pipe: DataChannelPipe | undefined;
  openedAt: number | undefined;
  timeout: unknown;
  remoteDescriptionSet: boolean;
  readonly pendingCandidates: RTCIceCandidateInit[];
  /** Signal handling is async (SDP, ICE); one attempt handles its signals one at a time. */
  ops: Promise<void>;
  closed: boolean;
}

interface Remote {
  readonly peerId: string;
  deviceId: string | undefined;
  attempt: Attempt | undefined;
  state: WebRtcPeerState;
  since: number;
  failures: number;
  retryTimer: unknown;
  badSignals: number;
  ignoredUntil: number;
  /** Attempts that ended recently: their late signals are expected, not bad. */
  readonly endedCids: string[];
}

export function createWebRtcTransport(
  options: WebRtcTransportOptions,
): Result<WebRtcTransport, WebRtcOptionIssue[]> {
  const issues = validateOptions(options);
  return issues.length > 0 ? err(issues) : ok(new WebRtcTransportImpl(options));
}

class WebRtcTransportImpl implements WebRtcTransport {
  readonly peerId: PeerId;
  private readonly logger: SyncLogger;
  private readonly timers: Timers;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly PeerConnection: typeof RTCPeerConnection;
  private readonly bufferLimits: BufferLimits;
  private readonly connectTimeoutMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly maxRetries: number;
  private readonly reannounceMs: number;
  private readonly badSignalLimit: number;
  private readonly ignoreMs: number;
  private readonly budget: ConnectionBudget;

  private readonly remotes = new Map<string, Remote>();
  private readonly connectListeners = new Set<(peer: PeerId, channel: Channel) => void>();
  private readonly statusListeners = new Set<(status: WebRtcStatus) => void>();
  private signaling: SignalingClient | undefined;
  private unsubscribers: (() => void)[] = [];
  private running = false;
  /** Bumped by every start and stop, so a start still deriving keys knows it was superseded. */
  private generation = 0;
  private reannounceTimer: unknown;
  /** L9: the next re-announce's base delay, doubled while settled. */
  private reannounceDelayMs = 0;

  constructor(private readonly options: WebRtcTransportOptions) {
    this.peerId = (options.peerId ?? randomHex(12)) as PeerId;
    this.logger = options.logger ?? silentLogger;
    this.timers = options.timers ?? systemTimers;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.PeerConnection = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    this.bufferLimits = options.bufferLimits ?? defaultBufferLimits;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.retryInitialMs = options.retryInitialMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 8;
    this.reannounceMs = options.reannounceMs ?? 120_000;
    this.badSignalLimit = options.badSignalLimit ?? 50;
    this.ignoreMs = options.ignoreMs ?? 10 * 60_000;
    this.budget = new ConnectionBudget(
      Math.max(1, options.maxPeerConnections ?? DEFAULT_MAX_PEER_CONNECTIONS),
      () => this.peerConnectionCount(),
    );
  }

  // ---- public surface -------------------------------------------------------------------------

  onPeerConnected(listener: (peer: PeerId, channel: Channel) => void): () => void {
    this.connectListeners.add(listener);
    for (const remote of this.remotes.values()) {
      const pipe = remote.attempt?.pipe;
      if (pipe && !pipe.closed) this.tellConnected(listener, remote.peerId as PeerId, pipe);
    }
    return () => this.connectListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    const keys = await deriveNetworkKeys(this.options.networkName, this.options.networkSecret);
    if (generation !== this.generation) return;
    if (!keys.ok) {
      // validateOptions already refused these inputs; this only guards a broken invariant.
      throw new Error(`network keys: ${keys.error.map((i) => `${i.field} ${i.rule}`).join(', ')}`);
    }
    const signaling = createSignalingClient({
      urls: this.options.signalingUrls,
      keys: keys.value,
      peerId: this.peerId,
      deviceId: this.options.deviceId,
      createSocket: this.options.createSocket,
      online: this.options.online,
      timers: this.timers,
      random: this.random,
      logger: this.logger,
    });
    this.signaling = signaling;
    this.unsubscribers = [
      signaling.onAnnounce((announce) => this.handleAnnounce(announce)),
      signaling.onSignal((message) => this.handleSignal(message)),
      signaling.onState(() => this.emitStatus()),
    ];
    signaling.start();
    this.reannounceDelayMs = this.reannounceMs;
    this.scheduleReannounce();
    this.logger.log('info', 'webrtc_started', { peer: this.peerId });
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation += 1;
    this.reannounceTimer = this.clear(this.reannounceTimer);
    for (const remote of this.remotes.values()) {
      remote.retryTimer = this.clear(remote.retryTimer);
      if (remote.attempt) this.endAttempt(remote, remote.attempt, CloseReason.stopped, false);
    }
    this.remotes.clear();
    this.budget.clear();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.signaling?.stop();
    this.signaling = undefined;
    this.logger.log('info', 'webrtc_stopped', { peer: this.peerId });
    this.emitStatus();
  }

  reconnect(): void {
    if (!this.running || !this.signaling) return;
    this.signaling.reconnect();
    this.signaling.announce();
    this.restartReannounce();
    for (const remote of this.remotes.values()) {
      if (remote.attempt || !this.isInitiatorFor(remote.peerId)) continue;
      remote.retryTimer = this.clear(remote.retryTimer);
      remote.failures = 0;
      this.startAttempt(remote);
    }
  }

  status(): WebRtcStatus {
    return {
      signaling: this.signaling?.state() ?? 'stopped',
      peers: [...this.remotes.values()]
        // Only peers that said who they are; a stray signal from an unknown id is not a peer.
        .filter(
          (remote) => remote.deviceId !== undefined && remote.ignoredUntil <= this.clock.now(),
        )
        .map((remote) => ({
          peerId: remote.peerId as PeerId,
          deviceId: remote.deviceId,
          state: remote.state,
          since: remote.since,
        })),
    };
  }

  onStatus(listener: (status: WebRtcStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  peerConnectionCount(): number {
    let count = 0;
    for (const remote of this.remotes.values())
      if (remote.attempt && !remote.attempt.closed) count++;
    return count;
  }

  // ---- discovery ------------------------------------------------------------------------------

  private isInitiatorFor(remotePeerId: string): boolean {
    return this.peerId < remotePeerId;
  }

  private remoteFor(peerId: string): Remote {
    let remote = this.remotes.get(peerId);
    if (!remote) {
      remote = {
        peerId,
        deviceId: undefined,
        attempt: undefined,
        state: 'closed',
        since: this.clock.now(),
        failures: 0,
        retryTimer: undefined,
        badSignals: 0,
        ignoredUntil: 0,
        endedCids: [],
      };
      this.remotes.set(peerId, remote);
    }
    return remote;
  }

  private isIgnored(peerId: string): boolean {
    const remote = this.remotes.get(peerId);
    return remote !== undefined && remote.ignoredUntil > this.clock.now();
  }

  private handleAnnounce(announce: SignalingAnnounce): void {
    if (!this.running || this.isIgnored(announce.from)) return;
    if (announce.device === this.options.deviceId) {
      // Another tab of this device: tabs sync over BroadcastChannel, not WebRTC.
      this.logger.log('debug', 'webrtc_own_device_announce', { peer: announce.from });
      return;
    }
    const remote = this.remoteFor(announce.from);
    remote.deviceId = announce.device;
    if (this.isInitiatorFor(remote.peerId)) {
      const pending = remote.attempt !== undefined && remote.attempt.openedAt === undefined;
      if (remote.attempt && !(pending && !announce.directed)) return;
      // A pending offer made before the peer (re)joined the topic never reached it: offer anew.
      if (remote.attempt) this.endAttempt(remote, remote.attempt, 'superseded', false);
      // An announce means the peer is there now: whatever backoff we were in is moot.
      remote.retryTimer = this.clear(remote.retryTimer);
      remote.failures = 0;
      this.startAttempt(remote);
    } else if (!announce.directed && !remote.attempt) {
      // It offers, but only to peers it knows: tell it about us (only us, not the whole topic).
      this.signaling?.announce(remote.peerId);
    }
    this.emitStatus();
  }

  private scheduleReannounce(): void {
    const delay = Math.round(this.reannounceDelayMs * (0.75 + this.random() * 0.5));
    this.reannounceTimer = this.timers.setTimeout(() => {
      this.reannounceTimer = undefined;
      if (!this.running) return;
      this.signaling?.announce();
      this.pruneClosed();
      // L9: a settled device has nobody to find; new peers announce themselves on arrival.
      this.reannounceDelayMs = this.isSettled()
        ? Math.min(REANNOUNCE_MAX_MS, Math.max(this.reannounceMs, this.reannounceDelayMs * 2))
        : this.reannounceMs;
      this.scheduleReannounce();
    }, delay);
  }

  /** L9: no peer is dialling or waiting to retry: every known one is open or was given up. */
  private isSettled(): boolean {
    for (const remote of this.remotes.values()) {
      if (remote.retryTimer !== undefined) return false;
      if (remote.attempt && remote.attempt.openedAt === undefined) return false;
    }
    return true;
  }

  /** L9: a lost connection or a reconnect: announce at the base rate again, starting now. */
  private restartReannounce(): void {
    if (!this.running || this.reannounceDelayMs === this.reannounceMs) return;
    this.reannounceDelayMs = this.reannounceMs;
    this.reannounceTimer = this.clear(this.reannounceTimer);
    this.scheduleReannounce();
  }

  private pruneClosed(): void {
    const now = this.clock.now();
    for (const [peerId, remote] of this.remotes) {
      const idle = !remote.attempt && remote.retryTimer === undefined && remote.ignoredUntil <= now;
      if (idle && now - remote.since > CLOSED_VISIBLE_MS) {
        this.remotes.delete(peerId);
        this.budget.forget(peerId);
      }
    }
  }

  // ---- connection attempts --------------------------------------------------------------------

  /**
   * L1: the browser may refuse a connection (an ICE server URL typed wrong in Settings, its own
   * connection cap): that is this attempt's failure, logged, never an exception into signaling.
   */
  private openPeerConnection(
    remote: Remote,
  ): { pc: RTCPeerConnection; dc: RTCDataChannel } | undefined {
    let pc: RTCPeerConnection | undefined;
    try {
      pc = new this.PeerConnection({ iceServers: this.options.iceServers ?? [] });
      // Negotiated with a fixed id: both ends create the same channel, no `datachannel` race.
      const dc = pc.createDataChannel(DATA_CHANNEL_LABEL, {
        negotiated: true,
        id: 0,
        ordered: true,
      });
      dc.binaryType = 'arraybuffer';
      return { pc, dc };
    } catch (error) {
      this.logger.log('warn', 'webrtc_peer_connection_refused', {
        peer: remote.peerId,
        error: String(error),
      });
      try {
        pc?.close();
      } catch (closeError) {
        this.logger.log('debug', 'webrtc_close_failed', {
          peer: remote.peerId,
          error: String(closeError),
        });
      }
      return undefined;
    }
  }

  private newAttempt(
    remote: Remote,
    cid: string,
    initiator: boolean,
    { pc, dc }: { pc: RTCPeerConnection; dc: RTCDataChannel },
  ): Attempt {
    const attempt: Attempt = {
      cid,
      initiator,
      pc,
      dc,
      pipe: undefined,
      openedAt: undefined,
      timeout: undefined,
      remoteDescriptionSet: false,
      pendingCandidates: [],
      ops: Promise.resolve(),
      closed: false,
    };
    remote.attempt = attempt;
    remote.state = 'connecting';
    remote.since = this.clock.now();
    attempt.timeout = this.timers.setTimeout(() => {
      attempt.timeout = undefined;
      if (attempt.openedAt !== undefined) return;
      this.logger.log('info', 'webrtc_connect_timeout', { peer: remote.peerId, cid });
      this.endAttempt(remote, attempt, 'connect-timeout', true);
    }, this.connectTimeoutMs);

    pc.onicecandidate = (event) => {
      if (attempt.closed || !event.candidate) return;
      this.signaling?.signal(remote.peerId, {
        kind: 'candidate',
        cid,
        candidate: event.candidate.toJSON(),
      });
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'failed' || state === 'closed') {
        this.endAttempt(remote, attempt, CloseReason.transportClosed, true);
      }
    };
    dc.onopen = () => this.opened(remote, attempt);
    dc.onclose = () => this.endAttempt(remote, attempt, CloseReason.transportClosed, true);
    dc.onmessage = (event: MessageEvent<unknown>) => {
      if (attempt.closed) return;
      // A frame can be queued behind our own open event; make sure the channel exists first.
      if (!attempt.pipe) this.opened(remote, attempt);
      if (event.data instanceof ArrayBuffer) attempt.pipe?.deliver(new Uint8Array(event.data));
      else this.logger.log('warn', 'webrtc_text_frame_dropped', { peer: remote.peerId });
    };
    this.emitStatus();
    return attempt;
  }

  private startAttempt(remote: Remote): void {
    if (!this.running || remote.attempt) return;
    if (!this.budget.hasRoom()) {
      // L2: dialled when a connection ends; an announce or retry meanwhile keeps its place.
      this.budget.wait(remote.peerId);
      this.logger.log('debug', 'webrtc_budget_wait', {
        peer: remote.peerId,
        waiting: this.budget.waitingCount(),
      });
      return;
    }
    this.budget.forget(remote.peerId);
    const connection = this.openPeerConnection(remote);
    if (!connection) {
      this.scheduleRetry(remote);
      return;
    }
    const attempt = this.newAttempt(remote, randomHex(8), true, connection);
    this.logger.log('debug', 'webrtc_offer', { peer: remote.peerId, cid: attempt.cid });
    this.enqueue(remote, attempt, async () => {
      const offer = await attempt.pc.createOffer();
      await attempt.pc.setLocalDescription(offer);
      this.signaling?.signal(remote.peerId, {
        kind: 'offer',
        cid: attempt.cid,
        sdp: offer.sdp ?? '',
        device: this.options.deviceId,
      });
    });
  }

  private enqueue(remote: Remote, attempt: Attempt, op: () => Promise<void>): void {
    attempt.ops = attempt.ops.then(async () => {
      if (attempt.closed) return;
      try {
        await op();
      } catch (error) {
        // Bad SDP or a candidate the browser refuses: this attempt cannot work.
        this.logger.log('warn', 'webrtc_negotiation_failed', {
          peer: remote.peerId,
          cid: attempt.cid,
          error: String(error),
        });
        this.strike(remote, 'negotiation-failed');
        this.endAttempt(remote, attempt, 'negotiation-failed', true);
      }
    });
  }

  private opened(remote: Remote, attempt: Attempt): void {
    if (attempt.closed || attempt.pipe) return;
    const binding = channelBindingFromSdp(
      attempt.pc.localDescription?.sdp ?? '',
      attempt.pc.remoteDescription?.sdp ?? '',
    );
    if (!binding) {
      // CB2: a connection without DTLS fingerprints cannot be bound, so it is not used.
      this.logger.log('warn', 'webrtc_no_fingerprint', { peer: remote.peerId });
      this.endAttempt(remote, attempt, 'no-dtls-fingerprint', true);
      return;
    }
    attempt.openedAt = this.clock.now();
    attempt.timeout = this.clear(attempt.timeout);
    const pipe = new DataChannelPipe(
      attempt.dc,
      this.bufferLimits,
      this.logger,
      remote.peerId,
      (reason) => this.endAttempt(remote, attempt, reason, false),
    );
    pipe.binding = binding;
    attempt.pipe = pipe;
    remote.state = 'connected';
    remote.since = attempt.openedAt;
    remote.badSignals = 0;
    this.logger.log('info', 'webrtc_connected', { peer: remote.peerId, device: remote.deviceId });
    if (this.options.replaceOnlyWhenAuthenticated) {
      pipe.onAuthenticated = (deviceId) => {
        if (deviceId === remote.deviceId && attempt.pipe === pipe && !attempt.closed) {
          this.replaceOlderConnectionsOfDevice(remote);
          this.emitStatus();
        }
      };
    } else {
      this.replaceOlderConnectionsOfDevice(remote);
    }
    this.emitStatus();
    for (const listener of [...this.connectListeners]) {
      this.tellConnected(listener, remote.peerId as PeerId, pipe);
    }
  }

  /** A device that reloaded comes back under a new peer id: its old connection must go. */
  private replaceOlderConnectionsOfDevice(current: Remote): void {
    if (current.deviceId === undefined) return;
    for (const [peerId, other] of this.remotes) {
      if (other === current || other.deviceId !== current.deviceId) continue;
      this.logger.log('info', 'webrtc_replaced', { peer: peerId, by: current.peerId });
      other.retryTimer = this.clear(other.retryTimer);
      if (other.attempt) this.endAttempt(other, other.attempt, CloseReason.replaced, false);
      this.remotes.delete(peerId);
    }
  }

  /**
   * Ends an attempt or an open connection. `retry`: the loss was not asked for here, so the
   * initiator tries again after a backoff.
   */
  private endAttempt(remote: Remote, attempt: Attempt, reason: string, retry: boolean): void {
    if (attempt.closed) return;
    attempt.closed = true;
    if (attempt.openedAt !== undefined) this.restartReannounce();
    attempt.timeout = this.clear(attempt.timeout);
    attempt.pc.onicecandidate = null;
    attempt.pc.onconnectionstatechange = null;
    attempt.dc.onopen = attempt.dc.onclose = attempt.dc.onmessage = null;
    try {
      attempt.dc.close();
      attempt.pc.close();
    } catch (error) {
      this.logger.log('debug', 'webrtc_close_failed', {
        peer: remote.peerId,
        error: String(error),
      });
    }
    const wasOpen = attempt.openedAt !== undefined;
    if (wasOpen) {
      this.logger.log('info', 'webrtc_closed', { peer: remote.peerId, reason });
      attempt.pipe?.fireClose(reason);
    }
    remote.endedCids.push(attempt.cid);
    if (remote.endedCids.length > REMEMBERED_ENDED_ATTEMPTS) remote.endedCids.shift();
    if (remote.attempt !== attempt) return;
    remote.attempt = undefined;
    remote.state = 'closed';
    remote.since = this.clock.now();
    if (wasOpen && remote.since - (attempt.openedAt ?? remote.since) >= STABLE_MS)
      remote.failures = 0;
    if (retry && this.running && this.remotes.get(remote.peerId) === remote)
      this.scheduleRetry(remote);
    this.admitWaiting();
    this.emitStatus();
  }

  /** L2: a connection ended, so peers waiting for room are dialled, oldest first. */
  private admitWaiting(): void {
    if (!this.running) return;
    for (let peerId = this.budget.next(); peerId !== undefined; peerId = this.budget.next()) {
      const remote = this.remotes.get(peerId);
      if (remote && !remote.attempt && remote.ignoredUntil <= this.clock.now()) {
        this.startAttempt(remote);
      }
    }
  }

  private scheduleRetry(remote: Remote): void {
    if (!this.isInitiatorFor(remote.peerId)) return;
    if (remote.failures >= this.maxRetries) {
      this.logger.log('info', 'webrtc_peer_forgotten', {
        peer: remote.peerId,
        attempts: remote.failures,
      });
      this.remotes.delete(remote.peerId);
      this.budget.forget(remote.peerId);
      return;
    }
    const ceiling = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** remote.failures);
    const delay = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    remote.failures += 1;
    remote.retryTimer = this.clear(remote.retryTimer);
    remote.retryTimer = this.timers.setTimeout(() => {
      remote.retryTimer = undefined;
      if (this.remotes.get(remote.peerId) === remote) this.startAttempt(remote);
    }, delay);
  }

  // ---- signals --------------------------------------------------------------------------------

  private strike(remote: Remote, reason: string): void {
    remote.badSignals += 1;
    this.logger.log('warn', 'webrtc_bad_signal', {
      peer: remote.peerId,
      reason,
      count: remote.badSignals,
    });
    if (remote.badSignals < this.badSignalLimit) return;
    this.logger.log('warn', 'webrtc_peer_ignored', { peer: remote.peerId, forMs: this.ignoreMs });
    remote.ignoredUntil = this.clock.now() + this.ignoreMs;
    remote.badSignals = 0;
    remote.retryTimer = this.clear(remote.retryTimer);
    if (remote.attempt) this.endAttempt(remote, remote.attempt, 'ignored', false);
    this.emitStatus();
  }

  private handleSignal(message: SignalingMessage): void {
    if (!this.running || this.isIgnored(message.from)) return;
    const signal = parseSignal(message.signal);
    const remote = this.remoteFor(message.from);
    if (!signal) return this.strike(remote, 'malformed');
    if (signal.kind === 'offer') return this.handleOffer(remote, signal);
    const attempt = remote.attempt;
    if (!attempt || attempt.cid !== signal.cid) {
      if (remote.endedCids.includes(signal.cid)) {
        // Candidates of an attempt that timed out or was replaced still trickle in.
        this.logger.log('debug', 'webrtc_stale_signal', { peer: remote.peerId, cid: signal.cid });
        return;
      }
      return this.strike(remote, 'unknown-attempt');
    }
    if (signal.kind === 'answer') {
      if (!attempt.initiator || attempt.remoteDescriptionSet)
        return this.strike(remote, 'unexpected-answer');
      attempt.remoteDescriptionSet = true;
      this.enqueue(remote, attempt, async () => {
        await attempt.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
        await this.flushCandidates(attempt);
      });
      return;
    }
    this.handleCandidate(remote, attempt, signal);
  }

  private handleOffer(remote: Remote, signal: Extract<Signal, { kind: 'offer' }>): void {
    if (this.isInitiatorFor(remote.peerId)) return this.strike(remote, 'offer-from-responder');
    if (signal.device === this.options.deviceId)
      return this.strike(remote, 'offer-from-own-device');
    if (remote.attempt?.cid === signal.cid || remote.endedCids.includes(signal.cid)) return;
    if (remote.attempt) {
      // The initiator gave up on the old attempt (timeout, loss, restart): this one replaces it.
      this.endAttempt(remote, remote.attempt, CloseReason.replaced, false);
    }
    if (!remote.attempt && !this.budget.hasRoom()) {
      // L2: no room; the initiator's attempt times out and it retries with backoff.
      this.logger.log('info', 'webrtc_budget_full', { peer: remote.peerId, cid: signal.cid });
      return;
    }
    remote.deviceId = signal.device;
    const connection = this.openPeerConnection(remote);
    if (!connection) return;
    const attempt = this.newAttempt(remote, signal.cid, false, connection);
    attempt.remoteDescriptionSet = true;
    this.enqueue(remote, attempt, async () => {
      await attempt.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      await this.flushCandidates(attempt);
      const answer = await attempt.pc.createAnswer();
      await attempt.pc.setLocalDescription(answer);
      this.signaling?.signal(remote.peerId, {
        kind: 'answer',
        cid: attempt.cid,
        sdp: answer.sdp ?? '',
      });
    });
  }

  private handleCandidate(
    remote: Remote,
    attempt: Attempt,
    signal: Extract<Signal, { kind: 'candidate' }>,
  ): void {
    if (!attempt.remoteDescriptionSet) {
      if (attempt.pendingCandidates.length >= MAX_PENDING_CANDIDATES) {
        return this.strike(remote, 'too-many-candidates');
      }
      attempt.pendingCandidates.push(signal.candidate);
      return;
    }
    this.enqueue(remote, attempt, () => attempt.pc.addIceCandidate(signal.candidate));
  }

  private async flushCandidates(attempt: Attempt): Promise<void> {
    const pending = attempt.pendingCandidates.splice(0);
    for (const candidate of pending) await attempt.pc.addIceCandidate(candidate);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private clear(handle: unknown): undefined {
    if (handle !== undefined) this.timers.clearTimeout(handle);
    return undefined;
  }

  private emitStatus(): void {
    if (this.statusListeners.size === 0) return;
    const status = this.status();
    for (const listener of [...this.statusListeners]) {
      try {
        listener(status);
      } catch (error) {
        this.logger.log('warn', 'webrtc_listener_failed', { kind: 'status', error: String(error) });
      }
    }
  }

  /** L1: a listener that throws is logged; the others and the transport go on. */
  private tellConnected(
    listener: (peer: PeerId, channel: Channel) => void,
    peer: PeerId,
    channel: Channel,
  ): void {
    try {
      listener(peer, channel);
    } catch (error) {
      this.logger.log('warn', 'webrtc_listener_failed', {
        kind: 'connected',
        error: String(error),
      });
    }
  }
}
