/**
 * One session with one peer over one channel, carrying every document (docs/protocol.md §3–9).
 * Inbound frames are decoded at once (so garbage is refused before anything queues) and handled
 * one message at a time, in order, because handlers wait on the host. Both directions are flow
 * controlled (§16): the peer may have at most our window of messages queued here, and what we
 * send waits for the peer's window and the channel (`Outbox`).
 */
import type { RemoteOutcome, UpdateRefusal } from '../crdt/policy/refusal';
import { SessionRefusals } from '../crdt/policy/session-refusals';
import { StorageError } from '../crdt/ports';
import type { DocId } from '../crdt/doc-id';
import type { Clock } from '../lib/deps';
import { err } from '../lib/result';
import { decodeFrame, decodeMessage, type Hello, type Message, type WireRange } from './codec';
import { Reassembler, type AssemblyBudget } from './chunking';
import { isCredited, ReceiveWindow, SendWindow } from './flow-control';
import { Outbox, type Producer } from './outbox';
import { decodeStateVector } from './digest';
import { wants, type InterestPolicy } from './interest';
import type { SyncLimits } from './limits';
import type {
  ChangeFormat,
  Channel,
  IncomingChange,
  PeerId,
  ReplicaHost,
  SyncLogger,
  Timers,
} from './ports';
import { CloseReason } from './reasons';
import { isAllSkip, openingRanges, respond, type ItemSet } from './reconcile';
import { TokenBucket } from './token-bucket';
import { Asks } from './asks';
import { batchChanges } from './change-batches';
import { prepareChanges, screenChange } from './change-intake';
import type { Member } from '../crdt/trust/types';
import type { TaskSlicer } from './task-slicer';
import { AuthCloseReason, type AuthRefusal } from './auth/handshake';
import { PeerAuth, type PeerAuthContext } from './auth/peer-auth';

/** The Yjs encoding of an empty state vector. */
export const EMPTY_STATE_VECTOR = new Uint8Array([0]);

export interface RemotePeer {
  deviceId: string;
  facility: string;
  relay: boolean;
  /** H2: the peer's extras are kept only for docs we hold (the rest cannot matter here). */
  policy: InterestPolicy & { extras: Set<DocId> };
  /** K2: the peer's clock minus ours when its hello arrived, in milliseconds. */
  clockOffsetMs: number;
  /** A15: the membership entry the peer proved to hold (absent on an engine without auth). */
  member?: Member;
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
  /** F8: chunk-assembly memory shared by every session of the engine. */
  assemblyBudget: AssemblyBudget;
  localPolicy(): InterestPolicy;
  /** Our held docs that `policy` wants and `mayRead` lets the peer read, with digests (R3). */
  itemsFor(policy: InterestPolicy, mayRead: (docId: DocId) => boolean): Promise<ItemSet>;
  isRequested(docId: DocId): boolean;
  events: SessionEvents;
  /** A15: when set, the peer must authenticate before anything else is sent or accepted. */
  auth?: PeerAuthContext;
  /** SC2: how a change on the wire carries its Yjs update. */
  changeFormat: ChangeFormat;
  /** AL1: who is signed in here, named in our requests so the holder can log it. */
  user?: () => string | undefined;
  /** SL1: when to let the event loop run between messages. */
  slicer: TaskSlicer;
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
  /** AL1: we answered this peer's request for a doc we hold, asked by `user` ('' unnamed). */
  served(session: Session, docId: DocId, user: string): void;
}

export interface Traffic {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

/** `awaiting-extras`: the hello came, the rest of its extras (H2) are still arriving. */
type State =
  | 'awaiting-auth-challenge'
  | 'awaiting-auth-proof'
  | 'awaiting-hello'
  | 'awaiting-extras'
  | 'open'
  | 'closed';

export class Session {
  readonly traffic: Traffic = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 };
  private readonly asks: Asks;
  /** §15: this session's refusals (budget U33, asking again U35–U36). */
  private readonly policyRefusals = new SessionRefusals();
  remote: RemotePeer | undefined;

  /** FC9: docs we asked the peer for and have no answer for yet (status "behind"). */
  get behind(): ReadonlySet<DocId> {
    return this.asks.inFlight;
  }
  reconciled = false;

  private state: State = 'awaiting-hello';
  private readonly nonce: number;
  private readonly reassembler: Reassembler;
  private readonly sendWindow = new SendWindow();
  readonly receiveWindow: ReceiveWindow;
  private readonly outbox: Outbox;
  /** H2: extras the peer declared in its hello that have not arrived yet. */
  private extrasToCome = 0;
  private remoteNonce = 0;
  /** FC10: answers whose diff is being read ahead of their turn. */
  private earlyDiffs = 0;
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
  /** A15: set when auth is on; who the peer proved to be and what its role allows. */
  private peerAuth: PeerAuth | undefined;
  /** A24: we presented an enrolment and wait for the membership history. */
  private awaitingMembership = false;
  private noticeTaken = false;
  /** A24: the peer's challenge, held until the membership history arrives. */
  private heldChallenge: Uint8Array | undefined;
  private admitted = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly peerId: PeerId,
    private readonly channel: Channel,
    private readonly ctx: SessionContext,
    nonce: number,
  ) {
    this.nonce = nonce >>> 0;
    this.asks = new Asks(ctx.limits.maxOutstandingAsks, (docId, reply) =>
      this.sendAsk(docId, reply),
    );
    this.reassembler = new Reassembler({
      maxMessageBytes: ctx.limits.maxMessageBytes,
      maxPending: ctx.limits.maxPendingAssemblies,
      budget: ctx.assemblyBudget,
      timers: ctx.timers,
      timeoutMs: ctx.limits.assemblyTimeoutMs,
      onTimeout: () => this.close(CloseReason.flood, 'chunked message stalled'),
    });
    this.receiveWindow = new ReceiveWindow(ctx.limits.windowMessages, ctx.limits.windowBytes);
    this.outbox = new Outbox(channel, this.sendWindow, {
      sent: (bytes) => {
        this.traffic.framesSent++;
        this.traffic.bytesSent += bytes;
      },
      failed: (error, sending) =>
        sending
          ? this.finish(CloseReason.transportClosed, `send failed: ${String(error)}`)
          : this.fail('send', error),
    });
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

  /**
   * Resolves when every message received so far has been handled and what that queued to send
   * is sent or waits on the peer (FC3, FC8).
   */
  async idle(): Promise<void> {
    await this.queue;
    await this.outbox.settled();
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
    const auth = this.ctx.auth;
    if (!auth) return this.sendHello();
    // A16: with auth, nothing but the challenge goes out until the peer has proved who it is.
    if (!this.channel.binding) {
      return this.close(CloseReason.authUnbound, 'the transport gives no channel binding');
    }
    this.peerAuth = new PeerAuth(auth, this.channel.binding);
    this.state = 'awaiting-auth-challenge';
    // A24: a newcomer presents its invite redemption first, and reads the peer's challenge
    // only once it holds the membership history that says who the peer is.
    const enrolment = auth.config.enrolment?.();
    if (enrolment) {
      this.awaitingMembership = true;
      this.outbox.sendNow({ kind: 'enrol', payload: enrolment });
    }
    this.outbox.sendNow({ kind: 'auth', payload: this.peerAuth.challenge() });
  }

  /** S2, K1, FC1: the hello, and the extras that did not fit in it. */
  private sendHello(): void {
    const local = this.ctx.localPolicy();
    const extras = [...local.extras].sort();
    const batch = this.ctx.limits.maxIdsPerMessage;
    // S2, K1, FC1: the hello goes out at once, uncredited; H2: extras beyond one message's
    // worth follow in interest batches, ahead of anything else we send.
    this.outbox.sendNow({
      kind: 'hello',
      deviceId: this.ctx.deviceId,
      facility: this.ctx.facility,
      relay: local.relay,
      nonce: this.nonce,
      clockMs: this.ctx.clock.now(),
      windowMessages: this.receiveWindow.maxMessages,
      windowBytes: this.receiveWindow.maxBytes,
      extrasTotal: extras.length,
      extras: extras.slice(0, batch),
    });
    for (let from = batch; from < extras.length; from += batch) {
      const slice = from;
      this.outbox.push(() =>
        Promise.resolve({ kind: 'interest', added: extras.slice(slice, slice + batch) }),
      );
    }
  }

  /** Closes the session for a local reason, telling the peer why first (E6). */
  close(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.outbox.sendNow({ kind: 'close', reason });
    this.finish(reason, detail);
    this.channel.close(reason);
  }

  /** A20: whether the peer's role lets it receive a doc (always, on an engine without auth). */
  mayRead(docId: DocId): boolean {
    return !this.peerAuth || this.peerAuth.mayRead(docId);
  }

  /** The authenticated peer's membership entry (undefined without auth or before the proof). */
  get member(): Member | undefined {
    return this.peerAuth?.member;
  }

  /** SC22: a message of changes stays well inside the largest message a peer takes (F8). */
  private get batchBytes(): number {
    const { changeBatchBytes, maxMessageBytes } = this.ctx.limits;
    return Math.max(1, Math.min(changeBatchBytes, maxMessageBytes - 1024));
  }

  /** M1: forwards changes to a doc the peer wants (engine → peer), unchanged (SC14). */
  forward(docId: DocId, changes: readonly Uint8Array[]): boolean {
    if (this.state !== 'open' || !this.remote || !wants(this.remote.policy, docId)) return false;
    if (!this.mayRead(docId)) return false;
    if (changes.length === 0) return true;
    for (const message of batchChanges('update', docId, changes, this.batchBytes))
      this.send(message);
    return true;
  }

  /** H3: tells the peer about docs we now hold beyond our facility rule. */
  announce(added: readonly DocId[]): void {
    // Also before the peer's hello: ours is already out without these docs, and the peer reads
    // our messages in order, so it learns them right after our hello.
    if (this.state === 'closed' || added.length === 0) return;
    const sorted = [...added].sort();
    const batch = this.ctx.limits.maxIdsPerMessage;
    for (let from = 0; from < sorted.length; from += batch) {
      this.send({ kind: 'interest', added: sorted.slice(from, from + batch) });
    }
  }

  /** Q1: asks the peer for a doc; it answers with sync-step2 or not-held. */
  request(docId: DocId, stateVector: Uint8Array): void {
    if (this.state !== 'open') return;
    this.requested.add(docId);
    this.send({ kind: 'request', docId, stateVector, user: this.ctx.user?.() ?? '' });
  }

  /** Whether the peer would want a doc (for pending-to-send accounting). */
  wantsDoc(docId: DocId): boolean {
    return this.remote !== undefined && wants(this.remote.policy, docId) && this.mayRead(docId);
  }

  /** Queues a message (or a producer of one, FC10) behind everything queued before it. */
  private send(message: Message | Producer): void {
    if (this.state === 'closed') return;
    this.outbox.push(message);
  }

  /** FC9: asks the peer for its diff of a doc, when fewer than the bound are outstanding. */
  private ask(docId: DocId, reply: boolean): void {
    this.asks.ask(docId, reply);
  }

  private answered(docId: DocId): void {
    this.asks.answered(docId);
  }

  private sendAsk(docId: DocId, reply: boolean): void {
    this.send(async () => ({
      kind: 'sync-step1',
      docId,
      reply,
      stateVector: this.ctx.host.holdings().has(docId)
        ? await this.ctx.host.stateVector(docId)
        : EMPTY_STATE_VECTOR,
    }));
  }

  /**
   * FC10: a diff encoded only when the window and the channel let it go, with a bounded
   * read-ahead: up to `diffReadAhead` diffs start reading when queued (as before flow
   * control), the rest when their turn comes. So a catch-up holds at most that many encoded
   * diffs, and a peer that asks without granting credit costs no more.
   */
  private sendDiff(docId: DocId, stateVector: Uint8Array, early = false): void {
    if (this.peerAuth?.selfReadOnly) {
      // A21: a read-only device authors nothing, so it has nothing of its own to offer; sending
      // what it received from others would only be refused (peers cannot tell it from a write).
      this.send({ kind: 'sync-step2', docId, changes: [] });
      return;
    }
    if (early && this.earlyDiffs < this.ctx.limits.diffReadAhead) {
      this.earlyDiffs++;
      const changes = this.ctx.host.changesSince(docId, stateVector);
      // A failure surfaces when the outbox awaits it; until then it must not count as unhandled.
      changes.catch(() => undefined);
      this.send(async () => {
        this.earlyDiffs--;
        return batchChanges('sync-step2', docId, await changes, this.batchBytes);
      });
      return;
    }
    this.send(async () =>
      batchChanges(
        'sync-step2',
        docId,
        await this.ctx.host.changesSince(docId, stateVector),
        this.batchBytes,
      ),
    );
  }

  private get authenticating(): boolean {
    return this.state === 'awaiting-auth-challenge' || this.state === 'awaiting-auth-proof';
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
    if (handled.kind === 'membership' && !this.awaitingMembership) {
      // A27: a revocation notice is the signed history; it is taken at once and on its own
      // merits (every op is verified), since the close that follows ends the session. One per
      // session: it is uncredited, and checking one costs signature verifications.
      if (this.noticeTaken) return this.close(CloseReason.unexpectedMessage, 'second notice');
      this.noticeTaken = true;
      void this.ctx.auth?.config.learn?.(handled.payload);
      return;
    }
    if (handled.kind === 'close') {
      // A14, A27: a close's reason is read at once, before the transport's own close can win
      // (which would drop whatever is still queued just the same).
      void this.handleSafely(handled);
      return;
    }
    if (handled.kind === 'credit') {
      // FC4: credit is acted on at once, never queued behind the messages it makes room for.
      if (!this.sendWindow.release(handled.messages, handled.bytes)) {
        return this.close(CloseReason.unexpectedMessage, 'credit beyond what was sent');
      }
      return;
    }
    if (handled.kind === 'sync-step2' || handled.kind === 'update') {
      prepareChanges(this.ctx.host, this.ctx.changeFormat, this.ctx.logger, handled);
    }
    const size = bytes.length;
    const credited = isCredited(handled.kind);
    // FC5: a peer that sends beyond the window we granted is cut off, so the queue stays bounded.
    if (credited && !this.receiveWindow.admit(size)) {
      return this.close(CloseReason.flood, 'sent beyond the receive window');
    }
    this.queue = this.queue.then(async () => {
      // SL1: a long run of messages handled in one task gives the event loop a turn first.
      const pause = this.ctx.slicer.due();
      if (pause) await pause;
      await this.handleSafely(handled);
      if (!credited || this.state === 'closed') return;
      const credit = this.receiveWindow.handled(size);
      if (credit) this.outbox.sendNow({ kind: 'credit', ...credit });
    });
  }

  private async handleSafely(message: Message): Promise<void> {
    if (this.state === 'closed') return;
    try {
      await this.handle(message);
    } catch (error) {
      this.fail(message.kind, error);
    }
  }

  /** A host failure (storage down, a bug) ends this session only; the peer reconnects later. */
  private fail(what: string, error: unknown): void {
    this.ctx.logger.log('warn', 'sync.session-error', {
      peer: this.peerId,
      message: what,
      error: String(error),
    });
    this.close(CloseReason.hostError, `handler failed: ${String(error)}`);
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
    if (this.authenticating) return this.handleAuthPhase(message);
    if (message.kind === 'auth' || message.kind === 'enrol' || message.kind === 'membership') {
      return this.close(CloseReason.unexpectedMessage, `${message.kind} after authentication`);
    }
    if (this.state === 'awaiting-hello') {
      if (message.kind !== 'hello') {
        return this.close(CloseReason.unexpectedMessage, `${message.kind} before hello`);
      }
      return this.onHello(message);
    }
    if (this.state === 'awaiting-extras') {
      if (message.kind !== 'interest') {
        return this.close(CloseReason.unexpectedMessage, `${message.kind} before all extras`);
      }
      return this.onExtrasBatch(message.added);
    }
    switch (message.kind) {
      case 'hello':
        return this.close(CloseReason.unexpectedMessage, 'second hello');
      case 'credit':
        return; // handled on arrival
      case 'interest':
        return this.onInterest(message.added);
      case 'reconcile':
        return this.onReconcile(message.ranges);
      case 'sync-step1':
        return this.onStep1(message.docId, message.stateVector, message.reply);
      case 'sync-step2':
      case 'update':
        return this.onData(message.docId, message.changes, message.kind);
      case 'request':
        return this.onRequest(message.docId, message.stateVector, message.user);
      case 'not-held':
        return this.onNotHeld(message.docId);
    }
  }

  /** A1, A24–A26: before the peer is authenticated only these messages are allowed. */
  private handleAuthPhase(message: Message): Promise<void> | void {
    const challengePhase = this.state === 'awaiting-auth-challenge';
    switch (message.kind) {
      case 'enrol':
        if (!challengePhase || this.admitted) break;
        this.admitted = true;
        return this.onEnrol(message.payload);
      case 'membership':
        if (!this.awaitingMembership) break;
        return this.onMembership(message.payload);
      case 'auth':
        if (!challengePhase) return this.onAuthProof(message.payload);
        if (!this.awaitingMembership) return this.onAuthChallenge(message.payload);
        if (this.heldChallenge) break;
        this.heldChallenge = message.payload;
        return;
      default:
    }
    return this.close(CloseReason.unexpectedMessage, `${message.kind} during authentication`);
  }

  /** A25: a newcomer's invite redemption; if admitted, it gets the history that now lists it. */
  private async onEnrol(payload: Uint8Array): Promise<void> {
    const config = this.ctx.auth?.config;
    if (!config?.admit) {
      return this.refuseAuth({ type: 'unenrolled', detail: 'this device admits no newcomers' });
    }
    const admitted = await config.admit(payload);
    if (this.state === 'closed') return;
    if (!admitted.ok) return this.refuseAuth(admitted.error);
    this.outbox.sendNow({ kind: 'membership', payload: admitted.value });
  }

  /** A26: the newcomer adopts the history, then reads the challenge it held back. */
  private async onMembership(payload: Uint8Array): Promise<void> {
    const config = this.ctx.auth?.config;
    const adopted = config?.adopt
      ? await config.adopt(payload)
      : err<AuthRefusal>({ type: 'bad-membership', detail: 'nothing to check it against' });
    if (this.state === 'closed') return;
    if (!adopted.ok) return this.refuseAuth(adopted.error);
    this.awaitingMembership = false;
    const held = this.heldChallenge;
    this.heldChallenge = undefined;
    if (held) await this.onAuthChallenge(held);
  }

  /** A16–A17: the peer's claim is checked against the membership, then we prove ourselves. */
  private async onAuthChallenge(payload: Uint8Array): Promise<void> {
    const proof = await (this.peerAuth as PeerAuth).onChallenge(payload);
    if (this.state === 'closed') return;
    if (!proof.ok) return this.refuseAuth(proof.error);
    this.state = 'awaiting-auth-proof';
    this.outbox.sendNow({ kind: 'auth', payload: proof.value });
  }

  /** A17: once the peer's proof verifies, and only then, our hello (with our holdings) goes. */
  private async onAuthProof(payload: Uint8Array): Promise<void> {
    const peer = await (this.peerAuth as PeerAuth).onProof(payload);
    if (this.state === 'closed') return;
    if (!peer.ok) return this.refuseAuth(peer.error);
    this.channel.authenticated?.(peer.value.deviceId);
    this.state = 'awaiting-hello';
    this.sendHello();
  }

  private refuseAuth(refusal: AuthRefusal): void {
    this.ctx.logger.log('warn', 'sync.auth-refused', {
      peer: this.peerId,
      reason: refusal.type,
      detail: refusal.detail,
    });
    if (refusal.type === 'revoked') return this.closeRevoked(refusal.detail);
    this.close(AuthCloseReason[refusal.type] as CloseReason, refusal.detail);
  }

  /** A27: a revoked peer is sent the signed history first, so it can tell its user why. */
  private closeRevoked(detail: string): void {
    const notice = this.ctx.auth?.config.revocationNotice?.();
    if (notice && this.state !== 'closed')
      this.outbox.sendNow({ kind: 'membership', payload: notice });
    this.close(CloseReason.authRevoked, detail);
  }

  /**
   * A22: a membership change (a revocation, a role change) ends the session of a peer that is no
   * longer enrolled as it proved to be. Returns whether the session was closed.
   */
  recheckMember(): boolean {
    if (!this.peerAuth || this.state === 'closed' || this.peerAuth.stillEnrolled()) return false;
    this.closeRevoked('the peer is no longer enrolled');
    return true;
  }

  private async onHello(hello: Hello): Promise<void> {
    if (!this.ctx.auth && hello.deviceId === this.ctx.deviceId && hello.nonce === this.nonce) {
      return this.close(CloseReason.selfConnection, 'connected to itself');
    }
    const mismatch = this.peerAuth?.helloMismatch(hello);
    if (mismatch) return this.close(CloseReason.authIdentityMismatch, mismatch);
    this.ctx.timers.clearTimeout(this.handshakeTimer);
    this.remote = {
      deviceId: hello.deviceId,
      facility: hello.facility,
      relay: hello.relay,
      policy: { relay: hello.relay, facility: hello.facility, extras: new Set() },
      clockOffsetMs: hello.clockMs - this.ctx.clock.now(),
      ...(this.peerAuth?.member ? { member: this.peerAuth.member } : {}),
    };
    this.remoteNonce = hello.nonce;
    this.keepHeldExtras(hello.extras);
    this.sendWindow.open(hello.windowMessages, hello.windowBytes);
    this.extrasToCome = hello.extrasTotal - hello.extras.length;
    if (this.extrasToCome > 0) {
      this.state = 'awaiting-extras';
      return;
    }
    return this.opened();
  }

  /** H2: the peer's extras arrive in batches; the session opens once all have come. */
  private async onExtrasBatch(added: readonly DocId[]): Promise<void> {
    if (added.length > this.extrasToCome) {
      return this.close(CloseReason.unexpectedMessage, 'more extras than the hello declared');
    }
    this.extrasToCome -= added.length;
    this.keepHeldExtras(added);
    if (this.extrasToCome === 0) await this.opened();
  }

  /** H2: of the peer's extras only the docs we hold can matter, so memory follows our holdings. */
  private keepHeldExtras(ids: readonly DocId[]): void {
    const held = this.ctx.host.holdings();
    const extras = (this.remote as RemotePeer).policy.extras;
    for (const id of ids) if (held.has(id)) extras.add(id);
  }

  private async opened(): Promise<void> {
    const remote = this.remote as RemotePeer;
    this.state = 'open';
    this.ctx.events.opened(this);
    // S4: exactly one side opens reconciliation: the smaller (device id, nonce).
    const initiator =
      this.ctx.deviceId < remote.deviceId ||
      (this.ctx.deviceId === remote.deviceId && this.nonce < this.remoteNonce);
    if (initiator) {
      const items = await this.itemSet();
      this.rounds++;
      this.send({ kind: 'reconcile', ranges: openingRanges(items) });
    }
  }

  private async itemSet(): Promise<ItemSet> {
    if (!this.items) {
      this.items = await this.ctx.itemsFor((this.remote as RemotePeer).policy, (docId) =>
        this.mayRead(docId),
      );
      // Q3: a legitimate peer asks at most about twice per shared doc in reconciliation.
      this.step1Bucket = new TokenBucket(
        this.ctx.limits.requestBurst + 2 * this.items.size,
        this.ctx.limits.requestsPerSecond,
        this.ctx.clock,
      );
    }
    return this.items;
  }

  private onInterest(added: readonly DocId[]): Promise<void> {
    const remote = this.remote as RemotePeer;
    const held = this.ctx.host.holdings();
    for (const docId of added) {
      if (!held.has(docId)) continue; // H2: only docs we hold can matter here
      remote.policy.extras.add(docId);
      // H4: the peer now holds a doc we hold too: exchange both ways.
      this.ask(docId, true);
    }
    this.ctx.events.changed(this);
    return Promise.resolve();
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
    // FC9: asks go out a bounded number at a time; FC10: full states are encoded when sent.
    // A21: a read-only peer authors nothing, so a doc only it holds is not asked for.
    const fromReadOnly = this.peerAuth?.peerReadOnly ?? false;
    for (const docId of outcome.needed) {
      this.listedByPeer.add(docId);
      if (!fromReadOnly) this.ask(docId, false);
    }
    for (const docId of outcome.differing) {
      this.listedByPeer.add(docId);
      this.ask(docId, true);
    }
    for (const docId of outcome.offered) this.sendDiff(docId, EMPTY_STATE_VECTOR, true);
    // R6: an all-skip message ends the exchange; it is never answered.
    if (!isAllSkip(ranges)) this.send({ kind: 'reconcile', ranges: outcome.response });
    if (isAllSkip(ranges) || isAllSkip(outcome.response)) {
      this.reconciled = true;
      this.ctx.events.reconciled(this);
    }
    this.ctx.events.changed(this);
  }

  private onStep1(docId: DocId, stateVector: Uint8Array, reply: boolean): void {
    if (!this.step1Bucket.take()) return this.close(CloseReason.flood, 'too many sync requests');
    if (!decodeStateVector(stateVector).ok) {
      return this.close(CloseReason.invalidUpdate, `bad state vector for ${docId}`);
    }
    // A20: a doc the peer may not read is, to it, a doc we do not hold.
    if (!this.ctx.host.holdings().has(docId) || !this.mayRead(docId)) {
      return this.send({ kind: 'not-held', docId });
    }
    // The peer asked, so it wants the doc from now on (its extras may not list it yet).
    this.noteInterest(docId);
    this.sendDiff(docId, stateVector, true);
    if (reply) this.ask(docId, false);
  }

  private onRequest(docId: DocId, stateVector: Uint8Array, user: string): void {
    if (!this.requestBucket.take()) return this.close(CloseReason.flood, 'too many requests');
    if (!decodeStateVector(stateVector).ok) {
      return this.close(CloseReason.invalidUpdate, `bad state vector for ${docId}`);
    }
    if (!this.ctx.host.holdings().has(docId) || !this.mayRead(docId)) {
      this.send({ kind: 'not-held', docId });
      return;
    }
    this.noteInterest(docId);
    this.sendDiff(docId, stateVector, true);
    this.ctx.events.served(this, docId, user);
  }

  /** Only held docs are noted (H2), so this set never outgrows our holdings. */
  private noteInterest(docId: DocId): void {
    const remote = this.remote as RemotePeer;
    if (wants(remote.policy, docId) || !this.ctx.host.holdings().has(docId)) return;
    remote.policy.extras.add(docId);
  }

  private async onData(
    docId: DocId,
    changes: readonly Uint8Array[],
    kind: 'sync-step2' | 'update',
  ): Promise<void> {
    const wanted =
      wants(this.ctx.localPolicy(), docId) ||
      this.ctx.host.holdings().has(docId) ||
      this.requested.has(docId) ||
      this.ctx.isRequested(docId);
    // E4: a peer never pushes a doc we neither want nor asked for.
    if (!wanted) return this.close(CloseReason.unwantedDoc, `pushed ${docId}`);
    const outcomes: (RemoteOutcome | undefined)[] = [];
    const incoming: IncomingChange[] = [];
    const screening = {
      format: this.ctx.changeFormat,
      peerDeviceId: this.remote?.deviceId,
      ...(this.peerAuth ? { roleRefusal: (u: Uint8Array) => this.peerAuth?.roleRefusal(u) } : {}),
    };
    // SL2: one message may carry hundreds of changes; its screening and applying are sliced too.
    const pause = () => (this.state === 'closed' ? undefined : this.ctx.slicer.due());
    for (const bytes of changes) {
      const wait = pause();
      if (wait) await wait;
      if (this.state === 'closed') return;
      const screened = screenChange(docId, bytes, screening);
      if (screened.kind === 'invalid')
        return this.close(CloseReason.invalidUpdate, screened.detail);
      if (screened.kind === 'refused')
        outcomes.push({ type: 'refused', refusal: screened.refusal });
      else {
        outcomes.push(undefined);
        incoming.push(screened.change);
      }
    }
    let applied: RemoteOutcome[] = [];
    try {
      if (incoming.length > 0) {
        applied = await this.ctx.host.applyRemoteChanges(docId, incoming, this.peerId, { pause });
      }
    } catch (error) {
      // A full or unavailable disk is this device's problem, not the peer's fault.
      const reason =
        error instanceof StorageError ? CloseReason.hostError : CloseReason.invalidUpdate;
      return this.close(reason, `${docId} refused: ${String(error)}`);
    }
    if (this.state === 'closed') return;
    // FC9: a refused answer is an answer too, so the asks never stall on refusals.
    if (kind === 'sync-step2') this.answered(docId);
    let next = 0;
    let accepted = changes.length === 0;
    for (let index = 0; index < outcomes.length; index++) {
      const outcome = outcomes[index] ?? applied[next++] ?? { type: 'unchanged' };
      if (outcome.type !== 'refused') {
        accepted = true;
        continue;
      }
      if (this.noteRefused(docId, changes[index]!, outcome.refusal) === 'closed') return;
    }
    if (!accepted) return;
    for (const again of this.policyRefusals.applied(docId)) this.ask(again, false);
    // The peer sent data for it, so it holds and wants it (H1), even if we dropped its claim.
    this.noteInterest(docId);
    this.ctx.events.received(this, docId, kind);
  }

  /** §15: a refused change is logged and counted; the session goes on unless it floods. */
  private noteRefused(docId: DocId, bytes: Uint8Array, refusal: UpdateRefusal): 'closed' | void {
    this.ctx.logger.log('warn', 'sync.update-refused', {
      peer: this.peerId,
      device: this.remote?.deviceId ?? null,
      docId,
      reason: refusal.reason,
      detail: refusal.detail,
    });
    this.ctx.events.refused(this, docId, refusal);
    const next = this.policyRefusals.refused(docId, bytes, refusal);
    if (next.flood) {
      this.close(CloseReason.flood, 'too many refused updates');
      return 'closed';
    }
    if (next.askAgain) this.ask(docId, false);
  }

  private onNotHeld(docId: DocId): void {
    if (this.listedByPeer.has(docId)) {
      return this.close(CloseReason.holdingsMismatch, `listed then disowned ${docId}`);
    }
    this.answered(docId);
    this.ctx.events.declined(this, docId);
  }

  private finish(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ctx.timers.clearTimeout(this.handshakeTimer);
    this.outbox.stop();
    this.reassembler.dispose();
    this.asks.clear();
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
