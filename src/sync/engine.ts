/**
 * The replication engine: one session per connected peer, all documents over it; digest cache;
 * forwarding (multi-hop); document requests; sync status. See CONTEXT.md for the map.
 */
import { isDocId, type DocId } from '../crdt/doc-id';
import { createSeededRandom, systemClock, type Clock, type Random } from '../lib/deps';
import { err, ok, type Result } from '../lib/result';
import { AssemblyBudget } from './chunking';
import { itemHash } from './digest';
import { extrasOf, wants, type InterestPolicy } from './interest';
import { defaultLimits, type SyncLimits } from './limits';
import {
  silentLogger,
  systemTimers,
  type Channel,
  type ChangeFormat,
  type PeerId,
  type ReplicaHost,
  type SyncLogger,
  type Timers,
  type Transport,
} from './ports';
import { CloseReason } from './reasons';
import { plainChanges } from './change-format';
import {
  browserYield,
  createTaskSlicer,
  defaultSliceMs,
  unslicedTasks,
  type TaskSlicer,
} from './task-slicer';
import { createNonceRegistry } from './auth/handshake';
import type { SyncAuth } from './auth/session-auth';
import { ItemSet, type Item } from './reconcile';
import { EMPTY_STATE_VECTOR, Session, type SessionContext, type Traffic } from './session';
import {
  facilitiesOf,
  maxRefusalRecords,
  type PeerSyncStatus,
  type RefusalRecord,
  type SyncStatus,
} from './status';

export interface SyncEngineOptions {
  host: ReplicaHost;
  /** This device's id, announced in the handshake. */
  deviceId: string;
  /** This device's 8-digit facility code ('' for a relay box without one). */
  facility: string;
  transports?: readonly Transport[];
  logger?: SyncLogger;
  clock?: Clock;
  timers?: Timers;
  /** Session nonces; inject a seeded one for deterministic tests. */
  random?: Random;
  limits?: Partial<SyncLimits>;
  /**
   * A15: peers must prove they hold an enrolled device key before anything is exchanged, and
   * roles decide what each may read and write. Without it (tests of the engine alone) every
   * peer is trusted as before.
   */
  auth?: SyncAuth;
  /**
   * SC2: how changes carry their Yjs update on the wire. The app sends signed envelopes
   * (`signedChanges`); bare updates when absent (engine tests).
   */
  changeFormat?: ChangeFormat;
  /** AL1: who is signed in on this device, named in its requests for the holder's access log. */
  user?: () => string | undefined;
  /**
   * SL1: how a session lets the event loop run once a task has handled messages for `sliceMs`
   * (default 40). Undefined: the browser's (`browserYield`); null: never (Node tests, relays).
   */
  yieldTask?: (() => Promise<void>) | null;
  sliceMs?: number;
}

export const RequestError = {
  invalidDocId: 'invalid-doc-id',
  /** Every connected peer said it does not hold the document. */
  notFound: 'not-found',
  /** No peer was connected during the whole wait. */
  noPeers: 'no-peers',
  timeout: 'timeout',
  stopped: 'stopped',
} as const;
export type RequestError = (typeof RequestError)[keyof typeof RequestError];

export interface RequestOptions {
  timeoutMs?: number;
}

export interface DigestStats {
  /** Host state vectors fetched to compute digests (cache misses). */
  computed: number;
  /** Digests served from the cache. */
  cached: number;
}

export interface SyncEngine {
  /** Adds a transport; its connections become sessions. Returns a function that detaches it. */
  addTransport(transport: Transport): () => void;
  /** Fetches a doc this device does not hold (or completes one it holds) from any holder. */
  request(docId: string, options?: RequestOptions): Promise<Result<void, RequestError>>;
  status(): SyncStatus;
  onStatus(listener: (status: SyncStatus) => void): () => void;
  /** Totals over all sessions, past and present. */
  traffic(): Traffic;
  digestStats(): DigestStats;
  /** Resolves once every message received so far has been handled. */
  whenIdle(): Promise<void>;
  /**
   * A22: the membership changed (e.g. a device was revoked): sessions of peers that are no
   * longer enrolled end at once.
   */
  membershipChanged(): void;
  /** AL1: told whenever this device answered a peer's request for a doc it holds. */
  onServed(listener: (served: ServedRequest) => void): () => void;
  /** Closes every session; the engine stays usable for tests that inspect it afterwards. */
  stop(): void;
}

/** A request this device answered (AL1): which doc, for which device, as it proved itself. */
export interface ServedRequest {
  docId: DocId;
  deviceId: string;
  /** The user the asking device named as signed in (its word, like its facility's staff list). */
  user?: string;
  facility: string;
  /** Whether the device proved its identity (A17); without auth, only its word. */
  proven: boolean;
}

interface PeerRecord {
  deviceId: string;
  facility: string;
  relay: boolean;
  policy: InterestPolicy;
  sessions: Set<Session>;
  lastReceivedAt: number | null;
  lastSyncedAt: number | null;
  pending: Set<DocId>;
  behind: Set<DocId>;
  lastCloseReason: CloseReason | null;
  clockOffsetMs: number | null;
}

interface PendingRequest {
  docId: DocId;
  asked: Set<Session>;
  declined: Set<Session>;
  resolve: (result: Result<void, RequestError>) => void;
  timer: unknown;
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const host = options.host;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? createSeededRandom((Math.random() * 2 ** 32) >>> 0);
  const limits: SyncLimits = { ...defaultLimits, ...options.limits };

  const sessions = new Map<PeerId, Session>();
  const peers = new Map<string, PeerRecord>();
  const requests = new Map<DocId, PendingRequest[]>();
  const statusListeners = new Set<(status: SyncStatus) => void>();
  const servedListeners = new Set<(served: ServedRequest) => void>();
  const closedTraffic: Traffic = {
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
  };
  const digestStats: DigestStats = { computed: 0, cached: 0 };
  const refusals: RefusalRecord[] = [];
  // F8: one chunk-assembly budget for the whole device, shared by every session.
  const assemblyBudget = new AssemblyBudget(limits.maxAssemblyBytes, limits.maxAssemblies);
  const detachers: (() => void)[] = [];
  let stopped = false;

  // R3: digest cache, invalidated per doc on change. The generation guards against storing a
  // digest computed from a state vector that was fetched before a concurrent change.
  const digests = new Map<DocId, Uint8Array>();
  const generations = new Map<DocId, number>();

  const extras = new Set<DocId>(extrasOf(host.holdings(), options.facility, host.isRelay()));
  const localPolicy = (): InterestPolicy => ({
    relay: host.isRelay(),
    facility: options.facility,
    extras,
  });

  async function digestOf(docId: DocId): Promise<Uint8Array> {
    const cached = digests.get(docId);
    if (cached) {
      digestStats.cached++;
      return cached;
    }
    const generation = generations.get(docId) ?? 0;
    digestStats.computed++;
    const hash = itemHash(docId, await host.stateVector(docId));
    if ((generations.get(docId) ?? 0) === generation) digests.set(docId, hash);
    return hash;
  }

  async function itemsFor(
    policy: InterestPolicy,
    mayRead: (docId: DocId) => boolean,
  ): Promise<ItemSet> {
    const items: Item[] = [];
    for (const docId of host.holdings()) {
      if (wants(policy, docId) && mayRead(docId)) {
        items.push({ docId, hash: await digestOf(docId) });
      }
    }
    return new ItemSet(items);
  }

  let statusQueued = false;
  function statusChanged(): void {
    if (statusQueued || statusListeners.size === 0) return;
    statusQueued = true;
    queueMicrotask(() => {
      statusQueued = false;
      const snapshot = status();
      for (const listener of statusListeners) {
        try {
          listener(snapshot);
        } catch (error) {
          logger.log('warn', 'sync.status-listener-failed', { error: String(error) });
        }
      }
    });
  }

  function recordOf(session: Session): PeerRecord | undefined {
    return session.remote ? peers.get(session.remote.deviceId) : undefined;
  }

  /** A23: sessions whose peer has not proved who it is yet; they replace nothing. */
  const authenticating = new Set<Session>();

  /** A23: an authenticated session takes its peer's place, unless another device holds it. */
  function adoptAuthenticated(session: Session): boolean {
    authenticating.delete(session);
    const previous = sessions.get(session.peerId);
    if (previous && previous !== session && !previous.isClosed) {
      if (previous.remote && previous.remote.deviceId !== session.remote?.deviceId) {
        session.close(CloseReason.authIdentityMismatch, 'another device holds this connection');
        return false;
      }
      previous.close(CloseReason.replaced, 'new connection from the same peer');
    }
    sessions.set(session.peerId, session);
    return true;
  }

  const events: SessionContext['events'] = {
    opened(session) {
      const remote = session.remote;
      if (!remote) return;
      if (options.auth && !adoptAuthenticated(session)) return;
      let record = peers.get(remote.deviceId);
      if (!record) {
        record = {
          deviceId: remote.deviceId,
          facility: remote.facility,
          relay: remote.relay,
          policy: remote.policy,
          sessions: new Set(),
          lastReceivedAt: null,
          lastSyncedAt: null,
          pending: new Set(),
          behind: new Set(),
          lastCloseReason: null,
          clockOffsetMs: null,
        };
        peers.set(remote.deviceId, record);
      }
      record.facility = remote.facility;
      record.relay = remote.relay;
      record.policy = remote.policy;
      // K2: the offset from this peer's latest hello.
      record.clockOffsetMs = remote.clockOffsetMs;
      record.sessions.add(session);
      for (const list of requests.values()) {
        for (const pending of list) askFor(pending, session);
      }
      statusChanged();
    },
    closed(session, reason) {
      authenticating.delete(session);
      if (sessions.get(session.peerId) === session) sessions.delete(session.peerId);
      for (const key of Object.keys(closedTraffic) as (keyof Traffic)[]) {
        closedTraffic[key] += session.traffic[key];
      }
      const record = recordOf(session);
      if (record) {
        record.sessions.delete(session);
        record.lastCloseReason = reason;
        for (const docId of session.behind) record.behind.add(docId);
      }
      for (const list of requests.values()) {
        for (const pending of list) settleIfAllDeclined(pending);
      }
      statusChanged();
    },
    received(session, docId) {
      const record = recordOf(session);
      if (record) {
        record.lastReceivedAt = clock.now();
        record.behind.delete(docId);
      }
      const waiting = requests.get(docId);
      if (waiting) {
        requests.delete(docId);
        for (const pending of waiting) finishRequest(pending, ok(undefined));
      }
      statusChanged();
    },
    served(session, docId, user) {
      const remote = session.remote;
      if (!remote) return;
      const served: ServedRequest = {
        docId,
        deviceId: remote.deviceId,
        ...(user ? { user } : {}),
        facility: session.member?.facilityCode ?? remote.facility,
        proven: session.member !== undefined,
      };
      for (const listener of servedListeners) listener(served);
    },
    refused(session, docId, refusal) {
      refusals.push({
        at: clock.now(),
        deviceId: session.remote?.deviceId ?? null,
        docId,
        reason: refusal.reason,
        detail: refusal.detail,
      });
      if (refusals.length > maxRefusalRecords)
        refusals.splice(0, refusals.length - maxRefusalRecords);
      statusChanged();
    },
    declined(session, docId) {
      for (const pending of requests.get(docId) ?? []) {
        pending.declined.add(session);
        settleIfAllDeclined(pending);
      }
    },
    reconciled(session) {
      const record = recordOf(session);
      if (record) {
        record.lastSyncedAt = clock.now();
        // Everything that waited for this peer was covered by the reconciliation.
        record.pending.clear();
      }
      statusChanged();
    },
    changed: () => statusChanged(),
  };

  const ctx: SessionContext = {
    host,
    deviceId: options.deviceId,
    facility: options.facility,
    limits,
    logger,
    clock,
    timers,
    assemblyBudget,
    localPolicy,
    itemsFor,
    isRequested: (docId) => requests.has(docId),
    events,
    changeFormat: options.changeFormat ?? plainChanges,
    slicer: taskSlicer(options, timers),
    ...(options.user ? { user: options.user } : {}),
    ...(options.auth ? { auth: { config: options.auth, nonces: createNonceRegistry() } } : {}),
  };

  function accept(peerId: PeerId, channel: Channel): void {
    if (stopped) {
      channel.close(CloseReason.stopped);
      return;
    }
    // S7: one session per peer pair; a new connection replaces the old one. A23: with auth, only
    // once it has proved to be the same device (see `opened`), so a spoofed id replaces nothing.
    if (options.auth) {
      const session = new Session(peerId, channel, ctx, Math.floor(random.next() * 2 ** 32));
      authenticating.add(session);
      session.start();
      return;
    }
    sessions.get(peerId)?.close(CloseReason.replaced, 'new connection from the same peer');
    // H3: documents this device no longer holds (pruned) leave the extras its next hello names.
    const held = host.holdings();
    for (const id of extras) if (!held.has(id)) extras.delete(id);
    const session = new Session(peerId, channel, ctx, Math.floor(random.next() * 2 ** 32));
    sessions.set(peerId, session);
    session.start();
    statusChanged();
  }

  detachers.push(
    host.onDocUpdate((docId, changes, origin) => {
      generations.set(docId, (generations.get(docId) ?? 0) + 1);
      digests.delete(docId);
      const sentTo = new Set<string>();
      // M1: forward to every other connected peer that wants the doc (multi-hop).
      for (const session of sessions.values()) {
        if (session.peerId === origin) {
          if (session.remote) sentTo.add(session.remote.deviceId);
          continue;
        }
        if (session.forward(docId, changes) && session.remote) sentTo.add(session.remote.deviceId);
      }
      for (const record of peers.values()) {
        if (!sentTo.has(record.deviceId) && wants(record.policy, docId)) record.pending.add(docId);
      }
      statusChanged();
    }),
  );

  detachers.push(
    host.onHoldingsChanged((added) => {
      const fresh = extrasOf(added, options.facility, host.isRelay()).filter(
        (id) => !extras.has(id),
      );
      if (fresh.length === 0) return;
      for (const id of fresh) extras.add(id);
      for (const session of sessions.values()) session.announce(fresh);
    }),
  );

  function askFor(pending: PendingRequest, session: Session): void {
    if (!session.isOpen || pending.asked.has(session)) return;
    pending.asked.add(session);
    const held = host.holdings().has(pending.docId);
    const svPromise = held ? host.stateVector(pending.docId) : Promise.resolve(EMPTY_STATE_VECTOR);
    svPromise.then(
      (sv) => session.request(pending.docId, sv),
      (error: unknown) =>
        logger.log('warn', 'sync.request-failed', { docId: pending.docId, error: String(error) }),
    );
  }

  /** Q2: not found once every connected peer has said it does not hold the doc. */
  function settleIfAllDeclined(pending: PendingRequest): void {
    const open = [...sessions.values()].filter((s) => s.isOpen);
    if (open.length === 0 || !open.every((s) => pending.declined.has(s))) return;
    removeRequest(pending);
    finishRequest(pending, err(RequestError.notFound));
  }

  function removeRequest(pending: PendingRequest): void {
    const list = requests.get(pending.docId)?.filter((p) => p !== pending) ?? [];
    if (list.length === 0) requests.delete(pending.docId);
    else requests.set(pending.docId, list);
  }

  function finishRequest(pending: PendingRequest, result: Result<void, RequestError>): void {
    timers.clearTimeout(pending.timer);
    pending.resolve(result);
  }

  function request(docId: string, opts?: RequestOptions): Promise<Result<void, RequestError>> {
    if (!isDocId(docId)) return Promise.resolve(err(RequestError.invalidDocId));
    if (stopped) return Promise.resolve(err(RequestError.stopped));
    return new Promise((resolve) => {
      const pending: PendingRequest = {
        docId,
        asked: new Set(),
        declined: new Set(),
        resolve,
        timer: undefined,
      };
      pending.timer = timers.setTimeout(() => {
        removeRequest(pending);
        resolve(err(pending.asked.size === 0 ? RequestError.noPeers : RequestError.timeout));
      }, opts?.timeoutMs ?? limits.requestTimeoutMs);
      requests.set(docId, [...(requests.get(docId) ?? []), pending]);
      for (const session of sessions.values()) askFor(pending, session);
    });
  }

  function status(): SyncStatus {
    const list: PeerSyncStatus[] = [...peers.values()]
      .map((record) => {
        const behind = new Set(record.behind);
        for (const session of record.sessions) for (const id of session.behind) behind.add(id);
        return {
          deviceId: record.deviceId,
          facility: record.facility,
          relay: record.relay,
          connected: [...record.sessions].some((s) => s.isOpen),
          lastReceivedAt: record.lastReceivedAt,
          lastSyncedAt: record.lastSyncedAt,
          pendingToSend: [...record.pending].sort(),
          behind: [...behind].sort(),
          lastCloseReason: record.lastCloseReason,
          clockOffsetMs: record.clockOffsetMs,
        };
      })
      .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    return {
      deviceId: options.deviceId,
      peers: list,
      facilities: facilitiesOf(list),
      refusals: refusals.slice(),
    };
  }

  function addTransport(transport: Transport): () => void {
    const detach = transport.onPeerConnected(accept);
    detachers.push(detach);
    return detach;
  }

  for (const transport of options.transports ?? []) addTransport(transport);

  return {
    addTransport,
    request,
    status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onServed(listener) {
      servedListeners.add(listener);
      return () => servedListeners.delete(listener);
    },
    traffic() {
      const total = { ...closedTraffic };
      for (const session of sessions.values()) {
        for (const key of Object.keys(total) as (keyof Traffic)[])
          total[key] += session.traffic[key];
      }
      return total;
    },
    digestStats: () => ({ ...digestStats }),
    async whenIdle() {
      await Promise.all([...sessions.values(), ...authenticating].map((s) => s.idle()));
    },
    membershipChanged() {
      for (const session of [...sessions.values(), ...authenticating]) session.recheckMember();
    },
    stop() {
      stopped = true;
      for (const session of [...sessions.values(), ...authenticating])
        session.close(CloseReason.stopped, 'engine stopped');
      for (const detach of detachers.splice(0)) detach();
      for (const [docId, list] of requests) {
        requests.delete(docId);
        for (const pending of list) finishRequest(pending, err(RequestError.stopped));
      }
    },
  };
}

/** SL1: one slicer for the engine's sessions (they share one main thread). */
function taskSlicer(options: SyncEngineOptions, timers: Timers): TaskSlicer {
  const yieldTask = options.yieldTask === undefined ? browserYield() : options.yieldTask;
  if (!yieldTask) return unslicedTasks;
  return createTaskSlicer({
    sliceMs: options.sliceMs ?? defaultSliceMs,
    now: () => performance.now(),
    yieldTask,
    nextTask: (callback) => void timers.setTimeout(callback, 0),
  });
}
