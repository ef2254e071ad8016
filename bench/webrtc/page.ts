/**
 * Runs inside headless Chromium, one page per simulated device (bundled by run.ts). Holds the
 * device's patient documents under one of three replication set-ups and reports what crossed the
 * wire, measured the same way for all three:
 *
 *   ours         the replication engine over the WebRTC transport (one peer connection per pair)
 *   roomPerDoc   stock y-webrtc, one WebrtcProvider (room) per patient document
 *   oneDoc       stock y-webrtc, one Y.Doc holding every patient, in one room
 *
 * and, for the cost of verification (issue 8 point 11), ours on the app's own path: a device key,
 * a repository that signs every change, a memory store, the app's replica host, the engine with
 * session authentication and signed envelopes, over the same WebRTC transport:
 *
 *   oursSigned            B checks every change (signature, client ids, write rules)
 *   oursSignedUnverified  B stores what it is sent unchecked
 */
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';
import { createReplicaHost, type AppReplicaHost } from '../../src/app/replica-host';
import type { DocId } from '../../src/crdt/doc-id';
import { createChangeTrust } from '../../src/crdt/policy/change-trust';
import type { RemoteUpdateCheck } from '../../src/crdt/policy/refusal';
import { DocumentRepository } from '../../src/crdt/repository';
import { createChangeSigner } from '../../src/crdt/trust/change-signer';
import { deviceClientIds } from '../../src/crdt/trust/client-ids';
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  type DeviceKey,
} from '../../src/crdt/trust/device-key';
import type { Member } from '../../src/crdt/trust/types';
import { systemClock } from '../../src/lib/deps';
import { createMemoryStore } from '../../src/storage/memory-store';
import { mayReadByRole, type SyncAuth } from '../../src/sync/auth/session-auth';
import { signedChanges } from '../../src/sync/change-format';
import {
  createMemoryHost,
  createSyncEngine,
  type MemoryHost,
  type SyncEngine,
} from '../../src/sync';
import { createWebRtcTransport, type WebRtcTransport } from '../../src/sync/webrtc';
import {
  BENCH_FACILITY,
  VISITS_PER_PATIENT,
  laterVisitEvent,
  patientEvents,
  patientIdOf,
  writePatient,
} from './patients';

export type Scenario = 'ours' | 'roomPerDoc' | 'oneDoc' | 'oursSigned' | 'oursSignedUnverified';

/** An enrolled device, as both devices of a signed scenario list each other (a static SyncAuth). */
export type BenchMember = Member;

export interface StartConfig {
  signalingUrl: string;
  /** Unique per run and scenario, so rooms and networks never meet those of an earlier run. */
  namespace: string;
  deviceId: string;
  count: number;
}

export interface Seeded {
  updateBytes: number;
  /** Doc id → base64 state vector: what the other device must end up with. */
  expected: Record<string, string>;
}

export interface Progress {
  docsSynced: number;
  docsTotal: number;
  /** ms from start() to the moment every document matched, or null. */
  syncedAfterMs: number | null;
  elapsedMs: number;
  /** Peer connections in state `connected` now: still rising means the run is not stuck. */
  connectedPeerConnections: number;
  errors: string[];
}

export interface WireStats {
  peerConnections: number;
  openPeerConnections: number;
  /** Sum of `bytesSent` of every data-channel stats object (getStats) of every live connection. */
  dataChannelBytesSent: number;
  dataChannelMessagesSent: number;
  /** Sum of DTLS transport `bytesSent`: the same plus SCTP/DTLS framing, acks and ICE checks. */
  transportBytesSent: number;
  /** Connections already closed when stats were read (their bytes are not in the sums above). */
  closedPeerConnections: number;
  /** Cross-check: bytes handed to RTCDataChannel.send, counted by a wrapper. */
  sendHookBytes: number;
  engineBytesSent: number | null;
}

// ---- instrumentation, installed before any provider or transport exists -----------------------

const peerConnections: RTCPeerConnection[] = [];
/** Error message → times seen: hundreds of identical failures are one line with a count. */
const errors = new Map<string, number>();
let sendHookBytes = 0;

const recordError = (what: string, error: unknown): void => {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  errors.set(message, (errors.get(message) ?? 0) + 1);
};

/** performance.now() when a peer connection of this page first reached `connected`. */
let connectedAt: number | null = null;
/** Main-thread tasks over 50 ms (PerformanceObserver 'longtask'), for bench/app/wire.ts. */
const longTasks: { start: number; duration: number }[] = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
} catch (error) {
  // No longtask support: wire.ts reports none observed, and says the observer is missing.
  console.info('longtask observer unavailable', error);
}
/**
 * Long animation frames over 200 ms with their scripts (invoker, function, duration): which
 * callback held the main thread, where the longtask entry only says that something did.
 */
const longFrames: { start: number; duration: number; scripts: string[] }[] = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & {
      scripts?: { invoker: string; sourceFunctionName: string; duration: number }[];
    })[]) {
      if (entry.duration < 200) continue;
      longFrames.push({
        start: entry.startTime,
        duration: entry.duration,
        scripts: (entry.scripts ?? [])
          .filter((script) => script.duration >= 20)
          .map(
            (script) =>
              `${script.invoker} ${script.sourceFunctionName} ${Math.round(script.duration)} ms`,
          ),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
} catch (error) {
  console.info('long-animation-frame observer unavailable', error);
}
/** Doc-changed notifications of the signed repository: what would refresh a screen. */
let docChangedCount = 0;

window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
  construct(target, args: [RTCConfiguration?], newTarget) {
    try {
      const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'connected' && connectedAt === null) {
          connectedAt = performance.now();
        }
      });
      peerConnections.push(pc);
      return pc;
    } catch (error) {
      recordError(`new RTCPeerConnection (after ${peerConnections.length})`, error);
      throw error;
    }
  },
});

// Taken off the prototype unbound on purpose: it is called below with each channel as `this`.
const nativeSend = Reflect.get(RTCDataChannel.prototype, 'send') as (
  this: RTCDataChannel,
  data: unknown,
) => void;
const byteLength = (data: unknown): number =>
  typeof data === 'string'
    ? new TextEncoder().encode(data).length
    : data instanceof Blob
      ? data.size
      : ArrayBuffer.isView(data) || data instanceof ArrayBuffer
        ? data.byteLength
        : 0;
RTCDataChannel.prototype.send = function send(this: RTCDataChannel, data: unknown): void {
  try {
    nativeSend.call(this, data);
  } catch (error) {
    // y-webrtc swallows this exception, so without recording it here a dropped message is silent.
    recordError(`RTCDataChannel.send(${byteLength(data)} bytes)`, error);
    throw error;
  }
  sendHookBytes += byteLength(data);
};

window.addEventListener('error', (event) => recordError('uncaught', event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => recordError('unhandled', event.reason));

// ---- progress: which documents already equal the other device's ------------------------------

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

function sameStateVector(stateVector: Uint8Array, expected: Map<number, number>): boolean {
  const actual = Y.decodeStateVector(stateVector);
  if (actual.size !== expected.size) return false;
  for (const [client, clock] of expected) if (actual.get(client) !== clock) return false;
  return true;
}

let expectedVectors = new Map<string, Map<number, number>>();
const pending = new Set<string>();
let startedAt = 0;
let syncedAt: number | null = null;
let partialCount: () => number = () => 0;

function expectDocs(expected: Record<string, string>): void {
  expectedVectors = new Map(
    Object.entries(expected).map(([id, sv]) => [id, Y.decodeStateVector(fromBase64(sv))]),
  );
  pending.clear();
  for (const id of expectedVectors.keys()) pending.add(id);
}

function check(id: string, doc: Y.Doc): void {
  checkVector(id, Y.encodeStateVector(doc));
}

function checkVector(id: string, stateVector: Uint8Array): void {
  const expected = expectedVectors.get(id);
  if (!expected || !pending.has(id) || !sameStateVector(stateVector, expected)) return;
  pending.delete(id);
  if (pending.size === 0 && syncedAt === null) syncedAt = performance.now();
}

// ---- the three set-ups ------------------------------------------------------------------------

interface Device {
  /** A signed device creates its key and returns its membership; the others have none. */
  identity?(slot: number): Promise<BenchMember>;
  /** The members this device's static SyncAuth lists (itself and the other device). */
  admit?(members: readonly BenchMember[]): void;
  seed(count: number): Seeded | Promise<Seeded>;
  /** Begins connecting; resolves once the signaling connection is up. */
  start(config: StartConfig): Promise<void>;
  stop(): void;
  engineBytesSent(): number | null;
  /** Changes the engine refused (a signed device): any one means B will never match A. */
  refusals?(): string[];
  /** A signed device records `count` later visits, one per patient (bench/app/wire.ts). */
  recordVisits?(count: number, patients: number): Promise<void>;
  /** Transport and engine status, for a run that does not finish (bench/app/wire.ts). */
  diagnose?(): unknown;
}

const SECRET = 'bench-network-secret-0123456789';

function oursDevice(): Device {
  const host: MemoryHost = createMemoryHost();
  let engine: SyncEngine | undefined;
  let transport: WebRtcTransport | undefined;
  host.onDocUpdate((docId) => check(docId, host.doc(docId)));
  return {
    seed(count) {
      const expected: Record<string, string> = {};
      let updateBytes = 0;
      for (let i = 0; i < count; i++) {
        const id = patientIdOf(i) as DocId;
        writePatient(host.doc(id), i);
        updateBytes += Y.encodeStateAsUpdate(host.doc(id)).length;
        expected[id] = toBase64(Y.encodeStateVector(host.doc(id)));
      }
      return { updateBytes, expected };
    },
    async start(config) {
      const built = createWebRtcTransport({
        signalingUrls: [config.signalingUrl],
        networkName: `bench-${config.namespace}`,
        networkSecret: SECRET,
        deviceId: config.deviceId,
        iceServers: [],
      });
      if (!built.ok) throw new Error(`transport options: ${JSON.stringify(built.error)}`);
      transport = built.value;
      // A new device of the same facility: the facility rule makes it want every patient here.
      engine = createSyncEngine({
        host,
        deviceId: config.deviceId,
        facility: BENCH_FACILITY,
        transports: [transport],
      });
      await transport.start();
      await until(() => transport?.status().signaling === 'connected');
    },
    stop() {
      engine?.stop();
      transport?.stop();
    },
    engineBytesSent: () => engine?.traffic().bytesSent ?? null,
  };
}

const verifier = createWebCryptoVerifier();

/**
 * Ours on the app's path (as bench/sync/signed.ts builds it): the repository signs every change
 * with the device key, the app's replica host serves the memory store, and the engine
 * authenticates the session and sends the stored envelopes. With `verify`, every change from the
 * peer passes the change trust (signature, client ids, write rules; not the content policy, so
 * the figure is the cost of verification alone) before it is stored.
 */
function signedDevice(verify: boolean): Device {
  const members = new Map<string, BenchMember>();
  let self: { key: DeviceKey; member: BenchMember } | undefined;
  let repo: DocumentRepository | undefined;
  let host: AppReplicaHost | undefined;
  let engine: SyncEngine | undefined;
  let transport: WebRtcTransport | undefined;
  const built = () => {
    if (!self || !repo || !host) throw new Error('identity first');
    return { self, repo, host };
  };
  return {
    async identity(slot) {
      const key = await createDeviceKey({ algorithm: 'Ed25519' });
      const member: BenchMember = {
        deviceId: await deviceIdFromPublicKey(key.publicKey),
        publicKey: key.publicKey,
        algorithm: key.algorithm,
        role: 'clinician',
        facilityCode: BENCH_FACILITY,
        slot,
      };
      self = { key, member };
      const store = createMemoryStore({ clock: systemClock });
      const trust = createChangeTrust({
        verifier,
        self: () => member,
        member: (deviceId) => members.get(deviceId),
      });
      const trustCheck: RemoteUpdateCheck = (docId, live, update, change) =>
        trust.check(docId, live, update, change);
      trustCheck.prepare = (changes) => trust.prepare(changes);
      const signing = new DocumentRepository({
        store,
        clock: systemClock,
        clientId: (await deviceClientIds(key.publicKey))[0],
        signChange: createChangeSigner(key, member.deviceId),
        ...(verify ? { checkRemote: trustCheck } : {}),
      });
      repo = signing;
      signing.onDocChanged(() => docChangedCount++);
      signing.onUpdate((docId) => {
        void signing.stateVector(docId).then((sv) => checkVector(docId, sv));
      });
      host = createReplicaHost(signing, store, { clock: systemClock });
      return member;
    },
    admit(list) {
      for (const member of list) members.set(member.deviceId, member);
    },
    async seed(count) {
      const { self: me, repo: signing } = built();
      const expected: Record<string, string> = {};
      let updateBytes = 0;
      for (let i = 0; i < count; i++) {
        const id = patientIdOf(i) as DocId;
        // One signed change per event, as a clinician records them.
        for (const event of patientEvents(i, me.member.deviceId)) await signing.write(id, event);
        const doc = await signing.get(id);
        updateBytes += Y.encodeStateAsUpdate(doc).length;
        expected[id] = toBase64(Y.encodeStateVector(doc));
      }
      return { updateBytes, expected };
    },
    async start(config) {
      const { self: me, host: replicaHost } = built();
      await replicaHost.init();
      const made = createWebRtcTransport({
        signalingUrls: [config.signalingUrl],
        networkName: `bench-${config.namespace}`,
        networkSecret: SECRET,
        deviceId: me.member.deviceId,
        iceServers: [],
      });
      if (!made.ok) throw new Error(`transport options: ${JSON.stringify(made.error)}`);
      transport = made.value;
      const auth: SyncAuth = {
        self: { ...me.key, deviceId: me.member.deviceId },
        verifier,
        lookupMember: (id) => members.get(id),
        isRevoked: () => false,
        mayRead: (member, docId) => mayReadByRole(member, docId, () => undefined),
      };
      engine = createSyncEngine({
        host: replicaHost,
        deviceId: me.member.deviceId,
        facility: BENCH_FACILITY,
        transports: [transport],
        auth,
        changeFormat: signedChanges,
      });
      await transport.start();
      await until(() => transport?.status().signaling === 'connected');
    },
    stop() {
      engine?.stop();
      transport?.stop();
    },
    engineBytesSent: () => engine?.traffic().bytesSent ?? null,
    refusals: () => (engine?.status().refusals ?? []).map((r) => `refused: ${JSON.stringify(r)}`),
    diagnose: () => ({ transport: transport?.status(), engine: engine?.status() }),
    async recordVisits(count, patients) {
      const { self: me, repo: signing } = built();
      for (let n = 0; n < count; n++) {
        const index = (n * 7919) % patients;
        await signing.write(
          patientIdOf(index) as DocId,
          laterVisitEvent(index, n, me.member.deviceId),
        );
      }
    },
  };
}

const providerOptions = (config: StartConfig) => ({
  signaling: [config.signalingUrl],
  peerOpts: { config: { iceServers: [] } },
});

/** y-webrtc types its signaling sockets as `any`; `connected` is what its own code checks. */
const signalingUp = (provider: WebrtcProvider): boolean =>
  provider.signalingConns.some((conn: { connected: boolean }) => conn.connected);

function stopProviders(providers: readonly WebrtcProvider[]): void {
  // All rooms together, and disconnect before destroy (y-webrtc traps, testing.md).
  for (const provider of providers) provider.disconnect();
  for (const provider of providers) provider.destroy();
}

function roomPerDocDevice(): Device {
  const docs = new Map<string, Y.Doc>();
  const providers: WebrtcProvider[] = [];
  const docOf = (id: string): Y.Doc => {
    let doc = docs.get(id);
    if (!doc) {
      const created = new Y.Doc();
      created.on('update', () => check(id, created));
      docs.set(id, created);
      doc = created;
    }
    return doc;
  };
  return {
    seed(count) {
      const expected: Record<string, string> = {};
      let updateBytes = 0;
      for (let i = 0; i < count; i++) {
        const doc = docOf(patientIdOf(i));
        writePatient(doc, i);
        updateBytes += Y.encodeStateAsUpdate(doc).length;
        expected[patientIdOf(i)] = toBase64(Y.encodeStateVector(doc));
      }
      return { updateBytes, expected };
    },
    async start(config) {
      // y-webrtc cannot discover rooms, so the new device is handed the list of patients.
      for (let i = 0; i < config.count; i++) {
        const id = patientIdOf(i);
        providers.push(
          new WebrtcProvider(`${config.namespace}/${id}`, docOf(id), providerOptions(config)),
        );
      }
      await until(() => providers.length === 0 || signalingUp(providers[0] as WebrtcProvider));
    },
    stop: () => stopProviders(providers),
    engineBytesSent: () => null,
  };
}

/** A patient stored as nested types under one key of the shared doc, behind the Y.Doc calls
 * that the patient-doc functions use, so the content is the same as a document of its own. */
function nestedPatient(shared: Y.Doc, id: string): Y.Doc {
  const patients = shared.getMap<Y.Map<unknown>>('patients');
  const patient = (): Y.Map<unknown> => {
    const existing = patients.get(id);
    if (existing) return existing;
    patients.set(id, new Y.Map());
    return patients.get(id) as Y.Map<unknown>;
  };
  const child = <T>(name: string, make: () => T): T => {
    const holder = patient();
    if (!holder.has(name)) holder.set(name, make());
    return holder.get(name) as T;
  };
  const view = {
    transact: (edit: () => void) => shared.transact(edit),
    getMap: (name: string) => child(name, () => new Y.Map()),
    getArray: (name: string) => child(name, () => new Y.Array()),
  };
  return view as unknown as Y.Doc;
}

function oneDocDevice(): Device {
  const shared = new Y.Doc();
  const providers: WebrtcProvider[] = [];
  const id = 'all-patients';
  const patients = shared.getMap<Y.Map<unknown>>('patients');
  shared.on('update', () => check(id, shared));
  partialCount = () => {
    let complete = 0;
    patients.forEach((patient) => {
      const visits = patient.get('visits');
      if (visits instanceof Y.Array && visits.length === VISITS_PER_PATIENT) complete++;
    });
    return complete;
  };
  return {
    seed(count) {
      for (let i = 0; i < count; i++) writePatient(nestedPatient(shared, patientIdOf(i)), i);
      return {
        updateBytes: Y.encodeStateAsUpdate(shared).length,
        expected: { [id]: toBase64(Y.encodeStateVector(shared)) },
      };
    },
    async start(config) {
      providers.push(
        new WebrtcProvider(`${config.namespace}/${id}`, shared, providerOptions(config)),
      );
      await until(() => signalingUp(providers[0] as WebrtcProvider));
    },
    stop: () => stopProviders(providers),
    engineBytesSent: () => null,
  };
}

async function until(condition: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('signaling did not connect');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the API run.ts drives --------------------------------------------------------------------

let device: Device | undefined;
let docsTotal = 0;
/** RTCDataChannel id of the raw baseline's negotiated channel: far from the transport's own. */
const RAW_CHANNEL_ID = 900;
const RAW_CHUNK = 16 * 1024;

/**
 * What bench/app/wire.ts needs beside the scenarios: catch-up timing and long tasks, a raw data
 * channel on the same peer connection as a baseline, later visits, and the live peer's stats.
 */
function wireApi() {
  let raw: RTCDataChannel | undefined;
  const openRaw = (): RTCDataChannel => {
    // The newest: an older one to a peer that went away may still say `connected` for a while.
    const pc = peerConnections.findLast((c) => c.connectionState === 'connected');
    if (!pc) throw new Error('no connected peer connection');
    // Negotiated on both sides with the same id: opens over the existing SCTP association with
    // no signaling, so it is as raw as a data channel gets.
    raw = pc.createDataChannel('raw-baseline', { negotiated: true, id: RAW_CHANNEL_ID });
    raw.binaryType = 'arraybuffer';
    return raw;
  };
  const opened = (channel: RTCDataChannel) =>
    channel.readyState === 'open'
      ? Promise.resolve()
      : new Promise<void>((resolve) => channel.addEventListener('open', () => resolve()));
  return {
    catchup() {
      const end = syncedAt ?? performance.now();
      const from = connectedAt ?? startedAt;
      const during = longTasks.filter((t) => t.start + t.duration >= startedAt && t.start <= end);
      return {
        connectedAfterMs: connectedAt === null ? null : Math.round(connectedAt - startedAt),
        /** From the peer connection being connected until every document matched. */
        transferMs: syncedAt === null ? null : Math.round(syncedAt - from),
        longestTaskMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
        longTasks: during.length,
        longTaskObserver: PerformanceObserver.supportedEntryTypes.includes('longtask'),
        docChanged: docChangedCount,
        longFrames: longFrames
          .filter((f) => f.start + f.duration >= startedAt && f.start <= end)
          .slice(0, 10),
      };
    },
    /** The sender: opens the raw channel, and on the receiver's "go" sends `bytes` in chunks. */
    async rawServe(bytes: number): Promise<void> {
      const channel = openRaw();
      channel.bufferedAmountLowThreshold = 256 * 1024;
      let going = false;
      channel.onmessage = () => {
        // The receiver repeats "go" until bytes arrive (one may be lost, see rawFetch): once.
        if (going) return;
        going = true;
        const chunk = new Uint8Array(RAW_CHUNK);
        let left = bytes;
        const pump = () => {
          try {
            // The same pacing a careful sender uses: fill to 1 MiB, wait for the low threshold.
            while (left > 0 && channel.bufferedAmount < 1024 * 1024) {
              const size = Math.min(RAW_CHUNK, left);
              channel.send(size === RAW_CHUNK ? chunk : chunk.subarray(0, size));
              left -= size;
            }
          } catch (error) {
            // Recorded (progress().errors), so the receiver's wait is explained, not silent.
            recordError('raw baseline send', error);
            left = 0;
          }
          if (left > 0) channel.onbufferedamountlow = pump;
          else channel.onbufferedamountlow = null;
        };
        pump();
      };
      await opened(channel);
    },
    /** The receiver: says "go" and resolves with ms until `bytes` arrived, and its long tasks. */
    async rawFetch(bytes: number): Promise<{ ms: number; longestTaskMs: number }> {
      const channel = openRaw();
      await opened(channel);
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        let got = 0;
        setTimeout(
          () => reject(new Error(`raw baseline: ${got} of ${bytes} bytes in 60 s`)),
          60_000,
        );
        // Data on a negotiated stream the other end has not created yet is dropped, so "go"
        // is repeated until the first bytes arrive (wire.ts also opens the sender first).
        const again = setInterval(() => channel.send('go'), 500);
        channel.onmessage = (event: MessageEvent<ArrayBuffer>) => {
          clearInterval(again);
          got += event.data.byteLength;
          if (got >= bytes) resolve();
        };
        channel.send('go');
      });
      const end = performance.now();
      const during = longTasks.filter((t) => t.start + t.duration >= t0 && t.start <= end);
      channel.close();
      return {
        ms: Math.round(end - t0),
        longestTaskMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
      };
    },
    closeRaw(): void {
      raw?.close();
      raw = undefined;
    },
    diagnose: (): unknown => device?.diagnose?.() ?? null,
    async recordVisits(count: number, patients: number): Promise<void> {
      if (!device?.recordVisits) throw new Error('a signed device records visits');
      await device.recordVisits(count, patients);
    },
    /** Of the connected peer connection: data-channel payload bytes and ICE checks, both ways. */
    async liveStats() {
      let dataChannelBytesSent = 0;
      let dataChannelBytesReceived = 0;
      let transportBytesSent = 0;
      let iceRequestsSent = 0;
      let iceResponsesSent = 0;
      for (const pc of peerConnections) {
        if (pc.connectionState !== 'connected') continue;
        (await pc.getStats()).forEach(
          (entry: {
            type: string;
            bytesSent?: number;
            bytesReceived?: number;
            requestsSent?: number;
            responsesSent?: number;
          }) => {
            if (entry.type === 'data-channel') {
              dataChannelBytesSent += entry.bytesSent ?? 0;
              dataChannelBytesReceived += entry.bytesReceived ?? 0;
            } else if (entry.type === 'transport') {
              transportBytesSent += entry.bytesSent ?? 0;
            } else if (entry.type === 'candidate-pair') {
              iceRequestsSent += entry.requestsSent ?? 0;
              iceResponsesSent += entry.responsesSent ?? 0;
            }
          },
        );
      }
      return {
        dataChannelBytesSent,
        dataChannelBytesReceived,
        transportBytesSent,
        iceRequestsSent,
        iceResponsesSent,
      };
    },
  };
}

const factories: Record<Scenario, () => Device> = {
  ours: oursDevice,
  roomPerDoc: roomPerDocDevice,
  oneDoc: oneDocDevice,
  oursSigned: () => signedDevice(true),
  oursSignedUnverified: () => signedDevice(false),
};

const api = {
  /** Resolves with this device's membership in a signed scenario, null in the others. */
  async init(scenario: Scenario, slot: number): Promise<BenchMember | null> {
    device = factories[scenario]();
    return (await device.identity?.(slot)) ?? null;
  },
  admit(members: readonly BenchMember[]): void {
    device?.admit?.(members);
  },
  seed(count: number): Seeded | Promise<Seeded> {
    if (!device) throw new Error('init first');
    return device.seed(count);
  },
  /** The receiving device: what it must end up with, set before it connects. */
  expect(expected: Record<string, string>, patientCount: number): void {
    expectDocs(expected);
    docsTotal = patientCount;
  },
  async start(config: StartConfig): Promise<void> {
    if (!device) throw new Error('init first');
    startedAt = performance.now();
    await device.start(config);
  },
  progress(): Progress {
    const matched = expectedVectors.size - pending.size;
    // One shared doc only matches as a whole; count the patients already complete inside it.
    const docsSynced =
      expectedVectors.size === 1 && docsTotal > 1
        ? pending.size === 0
          ? docsTotal
          : partialCount()
        : matched;
    return {
      docsSynced,
      docsTotal,
      syncedAfterMs: syncedAt === null ? null : Math.round(syncedAt - startedAt),
      elapsedMs: Math.round(performance.now() - startedAt),
      connectedPeerConnections: peerConnections.filter((pc) => pc.connectionState === 'connected')
        .length,
      errors: [
        ...[...errors].map(([message, count]) => (count > 1 ? `${message} (×${count})` : message)),
        ...(device?.refusals?.() ?? []),
      ],
    };
  },
  async stats(): Promise<WireStats> {
    let dataChannelBytesSent = 0;
    let dataChannelMessagesSent = 0;
    let transportBytesSent = 0;
    let closed = 0;
    for (const pc of peerConnections) {
      if (pc.signalingState === 'closed') {
        closed++;
        continue;
      }
      const report = await pc.getStats();
      report.forEach((entry: { type: string; bytesSent?: number; messagesSent?: number }) => {
        if (entry.type === 'data-channel') {
          dataChannelBytesSent += entry.bytesSent ?? 0;
          dataChannelMessagesSent += entry.messagesSent ?? 0;
        } else if (entry.type === 'transport') {
          transportBytesSent += entry.bytesSent ?? 0;
        }
      });
    }
    return {
      peerConnections: peerConnections.length,
      openPeerConnections: peerConnections.filter((pc) => pc.connectionState === 'connected')
        .length,
      dataChannelBytesSent,
      dataChannelMessagesSent,
      transportBytesSent,
      closedPeerConnections: closed,
      sendHookBytes,
      engineBytesSent: device?.engineBytesSent() ?? null,
    };
  },
  stop(): void {
    device?.stop();
  },
  ...wireApi(),
};

export type WebrtcBenchApi = typeof api;

declare global {
  interface Window {
    pamojaWebrtcBench: WebrtcBenchApi;
  }
}

window.pamojaWebrtcBench = api;
