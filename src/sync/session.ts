/**
 * One session with one peer over one channel, carrying every document (docs/protocol.md §3–9).
 * Inbound frames are decoded at once (so garbage is refused before anything queues) and handled
 * one message at a time, in order, because handlers wait on the host.
 */
import type { RemoteOutcome, UpdateRefusal } from '../crdt/policy/refusal';
import { StorageError } from '../crdt/ports';
import type { DocId } from '../crdt/doc-id';
import type { Clock } from '../lib/deps';
import {
  decodeFrame,
  decodeMessage,
  encodeMessage,
  messageToFrames,
  type Hello,
  type Message,
  type WireRange,
} from './codec';
import { Reassembler } from './chunking';
import { decodeStateVector } from './digest';
import { wants, type InterestPolicy } from './interest';
import type { SyncLimits } from './limits';
import type { Channel, PeerId, ReplicaHost, SyncLogger, Timers } from './ports';
import { CloseReason } from './reasons';
import { isAllSkip, openingRanges, respond, type ItemSet } from './reconcile';
import { validateUpdate } from './validate-update';

/** The Yjs encoding of an empty state vector. */
export const EMPTY_STATE_VECTOR = new Uint8Array([0]);

export interface RemotePeer {
  deviceId: string;
  facility: string;
  relay: boolean;
  policy: InterestPolicy & { extras: Set<DocId> };
}

/** What a session needs from its engine. */
export interface SessionContext {
  host: ReplicaHost;
  deviceId: string;
  facility: string;
  limits: SyncLimits;
  logger: SyncLogger;
  clock: Clock;
  timers: Timers;
  localPolicy(): InterestPolicy;
  /** Our held docs that `policy` wants, with digests (R3). */
  itemsFor(policy: InterestPolicy): Promise<ItemSet>;
  isRequested(docId: DocId): boolean;
  events: SessionEvents;
}

export interface SessionEvents {
  opened(session: Session): void;
  closed(session: Session, reason: CloseReason, detail: string): void;
  received(session: Session, docId: DocId, kind: 'sync-step2' | 'update'): void;
  declined(session: Session, docId: DocId): void;
  /** The update policy refused an update from this peer; the session goes on (§15). */
  refused(session: Session, docId: DocId, refusal: UpdateRefusal): void;
  reconciled(session: Session): void;
  changed(session: Session): void;
}

export interface Traffic {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

type State = 'awaiting-hello' | 'open' | 'closed';

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Session {
  readonly traffic: Traffic = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 };
  /** Docs the peer has data for that we asked for and have not yet received (status "behind"). */
  readonly behind = new Set<DocId>();
  remote: RemotePeer | undefined;
  reconciled = false;

  private state: State = 'awaiting-hello';
  private readonly nonce: number;
  private nextMessageId = 0;
  private readonly reassembler: Reassembler;
  private queue: Promise<void> = Promise.resolve();
  private items: ItemSet | undefined;
  /** Docs the peer listed as held during reconciliation (E4). */
  private readonly listedByPeer = new Set<DocId>();
  private rounds = 0;
  /** Docs we asked this peer for: its answer is welcome even after our request timed out. */
  private readonly requested = new Set<DocId>();
  private readonly requestBucket: TokenBucket;
  private step1Bucket: TokenBucket;
  private handshakeTimer: unknown;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly peerId: PeerId,
    private readonly channel: Channel,
    private readonly ctx: SessionContext,
    nonce: number,
  ) {
    this.nonce = nonce >>> 0;
    this.reassembler = new Reassembler(ctx.limits.maxMessageBytes, ctx.limits.maxPendingAssemblies);
    this.requestBucket = new TokenBucket(
      ctx.limits.requestBurst,
      ctx.limits.requestsPerSecond,
      ctx.clock,
    );
    this.step1Bucket = new TokenBucket(
      ctx.limits.requestBurst,
      ctx.limits.requestsPerSecond,
      ctx.clock,
    );
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  start(): void {
    this.unsubscribe.push(this.channel.onMessage((frame) => this.receiveFrame(frame)));
    this.unsubscribe.push(
      this.channel.onClose((reason) =>
        this.finish(CloseReason.transportClosed, `transport: ${reason}`),
      ),
    );
    if (this.state === 'closed') return;
    this.handshakeTimer = this.ctx.timers.setTimeout(
      () => this.close(CloseReason.handshakeTimeout, 'no hello'),
      this.ctx.limits.handshakeTimeoutMs,
    );
    const local = this.ctx.localPolicy();
    this.send({
      kind: 'hello',
      deviceId: this.ctx.deviceId,
      facility: this.ctx.facility,
      relay: local.relay,
      nonce: this.nonce,
      extras: [...local.extras].sort(),
    });
  }

  /** Closes the session for a local reason, telling the peer why first (E6). */
  close(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.send({ kind: 'close', reason });
    this.finish(reason, detail);
    this.channel.close(reason);
  }

  /** M1: forwards a change to a doc the peer wants (engine → peer). */
  forward(docId: DocId, update: Uint8Array): boolean {
    if (this.state !== 'open' || !this.remote || !wants(this.remote.policy, docId)) return false;
    this.send({ kind: 'update', docId, update });
    return true;
  }

  /** H3: tells the peer about docs we now hold beyond our facility rule. */
  announce(added: readonly DocId[]): void {
    // Also before the peer's hello: ours is already out without these docs, and the peer reads
    // our messages in order, so it learns them right after our hello.
    if (this.state === 'closed' || added.length === 0) return;
    this.send({ kind: 'interest', added: [...added].sort() });
  }

  /** Q1: asks the peer for a doc; it answers with sync-step2 or not-held. */
  request(docId: DocId, stateVector: Uint8Array): void {
    if (this.state !== 'open') return;
    this.requested.add(docId);
    this.send({ kind: 'request', docId, stateVector });
  }

  /** Whether the peer would want a doc (for pending-to-send accounting). */
  wantsDoc(docId: DocId): boolean {
    return this.remote !== undefined && wants(this.remote.policy, docId);
  }

  private send(message: Message): void {
    if (this.state === 'closed') return;
    const frames = messageToFrames(encodeMessage(message), this.nextMessageId);
    this.nextMessageId = (this.nextMessageId + 1) >>> 0;
    for (const frame of frames) {
      this.traffic.framesSent++;
      this.traffic.bytesSent += frame.length;
      try {
        this.channel.send(frame);
      } catch (error) {
        // The port forbids throwing, but a browser data channel throws when it is closing;
        // treat it as the transport closing rather than letting it reach the caller.
        this.finish(CloseReason.transportClosed, `send failed: ${String(error)}`);
        return;
      }
    }
  }

  private receiveFrame(frame: Uint8Array): void {
    if (this.state === 'closed') return;
    this.traffic.framesReceived++;
    this.traffic.bytesReceived += frame.length;
    const decoded = decodeFrame(frame, this.ctx.limits.maxMessageBytes);
    if (!decoded.ok) return this.close(decoded.error.reason, decoded.error.detail);
    let bytes: Uint8Array;
    if (decoded.value.type === 'chunk') {
      const assembled = this.reassembler.add(decoded.value.chunk);
      if (!assembled.ok) return this.close(assembled.error.reason, assembled.error.detail);
      if (!assembled.value) return;
      bytes = assembled.value;
    } else {
      bytes = decoded.value.bytes;
    }
    const message = decodeMessage(bytes, this.ctx.limits);
    if (!message.ok) return this.close(message.error.reason, message.error.detail);
    const handled = message.value;
    this.queue = this.queue.then(() => this.handleSafely(handled));
  }

  private async handleSafely(message: Message): Promise<void> {
    if (this.state === 'closed') return;
    try {
      await this.handle(message);
    } catch (error) {
      // A host failure (storage down, a bug) ends this session only; the peer reconnects later.
      this.ctx.logger.log('warn', 'sync.session-error', {
        peer: this.peerId,
        message: message.kind,
        error: String(error),
      });
      this.close(CloseReason.hostError, `handler failed: ${String(error)}`);
    }
  }

  private async handle(message: Message): Promise<void> {
    if (message.kind === 'close') {
      this.ctx.logger.log('info', 'sync.peer-closed', {
        peer: this.peerId,
        reason: message.reason,
      });
      this.finish(CloseReason.peerClosed, message.reason);
      this.channel.close(CloseReason.peerClosed);
      return;
    }
    if (this.state === 'awaiting-hello') {
      if (message.kind !== 'hello') {
        return this.close(CloseReason.unexpectedMessage, `${message.kind} before hello`);
      }
      return this.onHello(message);
    }
    switch (message.kind) {
      case 'hello':
        return this.close(CloseReason.unexpectedMessage, 'second hello');
      case 'interest':
        return this.onInterest(message.added);
      case 'reconcile':
        return this.onReconcile(message.ranges);
      case 'sync-step1':
        return this.onStep1(message.docId, message.stateVector, message.reply);
      case 'sync-step2':
      case 'update':
        return this.onData(message.docId, message.update, message.kind);
      case 'request':
        return this.onRequest(message.docId, message.stateVector);
      case 'not-held':
        return this.onNotHeld(message.docId);
    }
  }

  private async onHello(hello: Hello): Promise<void> {
    if (hello.deviceId === this.ctx.deviceId && hello.nonce === this.nonce) {
      return this.close(CloseReason.selfConnection, 'connected to itself');
    }
    this.ctx.timers.clearTimeout(this.handshakeTimer);
    this.remote = {
      deviceId: hello.deviceId,
      facility: hello.facility,
      relay: hello.relay,
      policy: { relay: hello.relay, facility: hello.facility, extras: new Set(hello.extras) },
    };
    this.state = 'open';
    this.ctx.events.opened(this);
    // S4: exactly one side opens reconciliation: the smaller (device id, nonce).
    const initiator =
      this.ctx.deviceId < hello.deviceId ||
      (this.ctx.deviceId === hello.deviceId && this.nonce < hello.nonce);
    if (initiator) {
      const items = await this.itemSet();
      this.rounds++;
      this.send({ kind: 'reconcile', ranges: openingRanges(items) });
    }
  }

  private async itemSet(): Promise<ItemSet> {
    if (!this.items) {
      this.items = await this.ctx.itemsFor((this.remote as RemotePeer).policy);
      // Q3: a legitimate peer asks at most about twice per shared doc in reconciliation.
      this.step1Bucket = new TokenBucket(
        this.ctx.limits.requestBurst + 2 * this.items.size,
        this.ctx.limits.requestsPerSecond,
        this.ctx.clock,
      );
    }
    return this.items;
  }

  private async onInterest(added: readonly DocId[]): Promise<void> {
    const remote = this.remote as RemotePeer;
    if (remote.policy.extras.size + added.length > this.ctx.limits.maxExtras) {
      return this.close(CloseReason.flood, 'too many declared documents');
    }
    const held = this.ctx.host.holdings();
    for (const docId of added) {
      remote.policy.extras.add(docId);
      // H4: the peer now holds a doc we hold too: exchange both ways.
      if (held.has(docId)) {
        this.send({
          kind: 'sync-step1',
          docId,
          reply: true,
          stateVector: await this.ctx.host.stateVector(docId),
        });
      }
    }
    this.ctx.events.changed(this);
  }

  private async onReconcile(ranges: readonly WireRange[]): Promise<void> {
    if (++this.rounds > this.ctx.limits.maxReconcileRounds) {
      return this.close(CloseReason.flood, 'too many reconcile rounds');
    }
    const items = await this.itemSet();
    const outcome = respond(items, ranges);
    const local = this.ctx.localPolicy();
    for (const docId of outcome.needed) {
      // E4: the peer may only list docs both sides want.
      if (!wants(local, docId)) return this.close(CloseReason.unwantedDoc, `listed ${docId}`);
    }
    const held = this.ctx.host.holdings();
    for (const docId of outcome.needed) {
      this.listedByPeer.add(docId);
      this.behind.add(docId);
      const sv = held.has(docId) ? await this.ctx.host.stateVector(docId) : EMPTY_STATE_VECTOR;
      this.send({ kind: 'sync-step1', docId, reply: false, stateVector: sv });
    }
    for (const docId of outcome.differing) {
      this.listedByPeer.add(docId);
      this.behind.add(docId);
      const sv = await this.ctx.host.stateVector(docId);
      this.send({ kind: 'sync-step1', docId, reply: true, stateVector: sv });
    }
    for (const docId of outcome.offered) {
      const update = await this.ctx.host.encodeDiff(docId, EMPTY_STATE_VECTOR);
      this.send({ kind: 'sync-step2', docId, update });
    }
    // R6: an all-skip message ends the exchange; it is never answered.
    if (!isAllSkip(ranges)) this.send({ kind: 'reconcile', ranges: outcome.response });
    if (isAllSkip(ranges) || isAllSkip(outcome.response)) {
      this.reconciled = true;
      this.ctx.events.reconciled(this);
    }
    this.ctx.events.changed(this);
  }

  private async onStep1(docId: DocId, stateVector: Uint8Array, reply: boolean): Promise<void> {
    if (!this.step1Bucket.take()) return this.close(CloseReason.flood, 'too many sync requests');
    if (!decodeStateVector(stateVector).ok) {
      return this.close(CloseReason.invalidUpdate, `bad state vector for ${docId}`);
    }
    if (!this.ctx.host.holdings().has(docId)) {
      this.send({ kind: 'not-held', docId });
      return;
    }
    // The peer asked, so it wants the doc from now on (its extras may not list it yet).
    this.noteInterest(docId);
    const update = await this.ctx.host.encodeDiff(docId, stateVector);
    this.send({ kind: 'sync-step2', docId, update });
    if (reply) {
      this.behind.add(docId);
      this.send({
        kind: 'sync-step1',
        docId,
        reply: false,
        stateVector: await this.ctx.host.stateVector(docId),
      });
    }
  }

  private async onRequest(docId: DocId, stateVector: Uint8Array): Promise<void> {
    if (!this.requestBucket.take()) return this.close(CloseReason.flood, 'too many requests');
    if (!decodeStateVector(stateVector).ok) {
      return this.close(CloseReason.invalidUpdate, `bad state vector for ${docId}`);
    }
    if (!this.ctx.host.holdings().has(docId)) {
      this.send({ kind: 'not-held', docId });
      return;
    }
    this.noteInterest(docId);
    const update = await this.ctx.host.encodeDiff(docId, stateVector);
    this.send({ kind: 'sync-step2', docId, update });
  }

  private noteInterest(docId: DocId): void {
    const remote = this.remote as RemotePeer;
    if (wants(remote.policy, docId)) return;
    if (remote.policy.extras.size >= this.ctx.limits.maxExtras) return;
    remote.policy.extras.add(docId);
  }

  private async onData(
    docId: DocId,
    update: Uint8Array,
    kind: 'sync-step2' | 'update',
  ): Promise<void> {
    const wanted =
      wants(this.ctx.localPolicy(), docId) ||
      this.ctx.host.holdings().has(docId) ||
      this.requested.has(docId) ||
      this.ctx.isRequested(docId);
    // E4: a peer never pushes a doc we neither want nor asked for.
    if (!wanted) return this.close(CloseReason.unwantedDoc, `pushed ${docId}`);
    const valid = validateUpdate(update);
    if (!valid.ok) return this.close(CloseReason.invalidUpdate, `${docId}: ${valid.error}`);
    let outcome: RemoteOutcome;
    try {
      outcome = await this.ctx.host.applyRemoteUpdate(docId, valid.value, this.peerId);
    } catch (error) {
      // A full or unavailable disk is this device's problem, not the peer's fault.
      const reason =
        error instanceof StorageError ? CloseReason.hostError : CloseReason.invalidUpdate;
      return this.close(reason, `${docId} refused: ${String(error)}`);
    }
    if (this.state === 'closed') return;
    if (outcome.type === 'refused') {
      this.ctx.logger.log('warn', 'sync.update-refused', {
        peer: this.peerId,
        device: this.remote?.deviceId ?? null,
        docId,
        reason: outcome.refusal.reason,
        detail: outcome.refusal.detail,
      });
      this.ctx.events.refused(this, docId, outcome.refusal);
      return;
    }
    if (kind === 'sync-step2') this.behind.delete(docId);
    this.ctx.events.received(this, docId, kind);
  }

  private onNotHeld(docId: DocId): void {
    if (this.listedByPeer.has(docId)) {
      return this.close(CloseReason.holdingsMismatch, `listed then disowned ${docId}`);
    }
    this.behind.delete(docId);
    this.ctx.events.declined(this, docId);
  }

  private finish(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ctx.timers.clearTimeout(this.handshakeTimer);
    for (const stop of this.unsubscribe.splice(0)) stop();
    const level = reason === CloseReason.transportClosed || reason === CloseReason.stopped;
    this.ctx.logger.log(level ? 'info' : 'warn', 'sync.session-closed', {
      peer: this.peerId,
      device: this.remote?.deviceId ?? null,
      reason,
      detail,
    });
    this.ctx.events.closed(this, reason, detail);
  }
}
