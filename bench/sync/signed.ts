/**
 * Issue 8 point 11: what signed changes cost. Devices of one facility on the app's own
 * replication path (clinic service, repository, memory store, the app's update policy and
 * replica host, the engine with session authentication and signed envelopes) over the in-memory
 * transport; the author registers patients and records visits as a clinician does. The same catch-up is timed
 * into a device that verifies every change (signature, client ids and the write rules, as the app
 * does) and into one that does not, in the same run, alternating, so the ratio is the cost of
 * verification alone. Method: bench/README.md (signed section).
 */
import * as Y from 'yjs';
import { appUpdatePolicy } from '../../src/app/app-repository';
import { createClinicService } from '../../src/app/clinic-service';
import { sequentialIds } from '../../src/app/ids';
import type { ClinicService } from '../../src/app/views';
import { networkDocId, patientDocId, registerDocId } from '../../src/crdt/doc-id';
import { createChangeTrust, type ChangeTrustDeps } from '../../src/crdt/policy/change-trust';
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
import { decodeSignedChange } from '../../src/crdt/trust/signed-change';
import type { Member } from '../../src/crdt/trust/types';
import type { CtcId, DeviceId, FacilityCode } from '../../src/domain/types';
import { createReplicaHost } from '../../src/app/replica-host';
import { createMemoryStore, type MemoryStore } from '../../src/storage/memory-store';
import { mayReadByRole, type SyncAuth } from '../../src/sync/auth/session-auth';
import { signedChanges } from '../../src/sync/change-format';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/sync/transports/memory';
import { summarise, type RoundSummary } from './rounds';

const FACILITY = '01020001' as FacilityCode;
const verifier = createWebCryptoVerifier();
const clock = { now: () => Date.parse('2026-03-14T09:00:00.000Z') };

export interface SignedFigures {
  catchup_ms_verified: number;
  catchup_ms_unverified: number;
  signature_bytes_per_change: number;
  idle_reconnect_bytes: number;
}

export interface SignedDetails {
  docs: number;
  idle_reconnect_docs: number;
  changes_per_catchup: number;
  rounds: number;
  catchup_verified_over_unverified: number;
  changes_stored_at_author: number;
}

/** Min and median of the interleaved rounds (the figures above are their means, as before). */
export interface SignedRounds {
  count: number;
  order: string;
  catchup_ms_verified: RoundSummary;
  catchup_ms_unverified: RoundSummary;
  /** Per round: verified / unverified of that round. */
  catchup_verified_over_unverified: RoundSummary;
  /** Deterministic for the stored changes, so measured once. */
  signature_bytes_per_change: 'one measurement: a byte count over every stored change';
}

interface Identity {
  key: DeviceKey;
  member: Member;
}

interface Replica {
  name: string;
  store: MemoryStore;
  repo: DocumentRepository;
  service: ClinicService;
  engine: SyncEngine;
}

async function identity(slot: number): Promise<Identity> {
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  const member: Member = {
    deviceId,
    publicKey: key.publicKey,
    algorithm: key.algorithm,
    role: 'clinician',
    facilityCode: FACILITY,
    slot,
  };
  return { key, member };
}

async function replica(
  net: MemoryNetwork,
  name: string,
  self: Identity,
  members: ReadonlyMap<DeviceId, Member>,
  verify: boolean,
  /** Signatures and write rules only, no content policy: for documents of plain test content. */
  trustOnly = false,
): Promise<Replica> {
  const store = createMemoryStore({ clock });
  const deps: ChangeTrustDeps = {
    verifier,
    self: () => self.member,
    member: (deviceId) => members.get(deviceId),
  };
  // Both run the app's update policy on every change; only one also verifies it (SC6, WR).
  const trust = createChangeTrust(deps);
  const trustCheck: RemoteUpdateCheck = (docId, live, update, change) =>
    trust.check(docId, live, update, change);
  trustCheck.prepare = (changes) => trust.prepare(changes);
  const checkRemote = trustOnly
    ? trustCheck
    : appUpdatePolicy(store, () => repo, undefined, verify ? deps : undefined);
  const repo: DocumentRepository = new DocumentRepository({
    store,
    clock,
    clientId: (await deviceClientIds(self.key.publicKey))[0]!,
    signChange: createChangeSigner(self.key, self.member.deviceId),
    checkRemote,
  });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds(name),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
      requestPersistence: () => Promise.resolve(false),
    },
    deviceId: self.member.deviceId,
  });
  const profile = await service.setupDevice({
    facilityName: 'Mbezi CTC',
    facilityCode: FACILITY,
    district: 'Kinondoni',
    region: 'Dar es Salaam',
    userName: `Clinician ${name}`,
    role: 'clinician',
    deviceSlot: String(self.member.slot),
    language: 'en',
  });
  if (!profile.ok) throw new Error(`setup of ${name} failed`);
  const host = createReplicaHost(repo, store, { clock });
  await host.init();
  const auth: SyncAuth = {
    self: { ...self.key, deviceId: self.member.deviceId },
    verifier,
    lookupMember: (id) => members.get(id as DeviceId),
    isRevoked: () => false,
    mayRead: (member, docId) => mayReadByRole(member, docId, () => 'ilala'),
  };
  const engine = createSyncEngine({
    host,
    deviceId: self.member.deviceId,
    facility: FACILITY,
    transports: [net.node(name)],
    auth,
    changeFormat: signedChanges,
  });
  return { name, store, repo, service, engine };
}

async function settle(net: MemoryNetwork, replicas: readonly Replica[]): Promise<void> {
  for (let round = 0; round < 10_000; round++) {
    await net.flush();
    await Promise.all(replicas.map((r) => r.engine.whenIdle()));
    await new Promise((resolve) => setImmediate(resolve));
    if (net.inFlight() === 0 && round > 2) return;
  }
  throw new Error('replication did not settle');
}

const NAMES = ['Amina', 'Baraka', 'Neema', 'Juma', 'Rehema', 'Hamisi', 'Zawadi', 'Salma', 'Imani'];
const FAMILIES = ['Mwakyusa', 'Mushi', 'Kimaro', 'Mrema', 'Swai', 'Lyimo', 'Massawe', 'Temba'];

const visit = (n: number) => ({
  date: '2026-03-14',
  visitType: 'clinic',
  weightKg: String(50 + (n % 20)),
  tbScreen: 'negative',
  symptoms: [],
  arvStatus: 'continue',
  regimen: '1r-A',
  daysSupplied: '90',
  otherMedicines: [],
  investigationsOrdered: [],
  adherence: 'good',
  nextAppointment: '2026-06-12',
  note: `Visit ${n}: feeling well, no complaints.`,
});

async function register(service: ClinicService, n: number): Promise<CtcId> {
  const saved = await service.registerPatient(
    {
      givenName: NAMES[n % NAMES.length]!,
      familyName: FAMILIES[Math.floor(n / NAMES.length) % FAMILIES.length]!,
      sex: n % 2 === 0 ? 'female' : 'male',
      birthDate: '1990-04-12',
      birthDateEstimated: false,
      phone: '+255 712 345 678',
    },
    { acknowledgeDuplicate: true },
  );
  if (!saved.ok) throw new Error(`registration ${n}: ${JSON.stringify(saved.error)}`);
  return saved.value;
}

async function recordVisit(service: ClinicService, ctcId: CtcId, n: number): Promise<void> {
  const saved = await service.recordVisit(ctcId, visit(n));
  if (!saved.ok) throw new Error(`visit ${n}: ${JSON.stringify(saved.error)}`);
}

const bytesSent = (...replicas: Replica[]) =>
  replicas.reduce((sum, r) => sum + r.engine.traffic().bytesSent, 0);

/** Time from a link coming up to both sides being idle again. */
async function timedLink(net: MemoryNetwork, a: Replica, b: Replica): Promise<number> {
  const start = performance.now();
  net.link(a.name, b.name);
  await settle(net, [a, b]);
  const ms = performance.now() - start;
  net.unlink(a.name, b.name);
  await settle(net, [a, b]);
  return ms;
}

/**
 * C1 with signed changes and authentication: both hold the same documents, one goes offline and
 * comes back with nothing changed. Documents of plain content (a map per record, as the engine
 * bench writes), because thousands of registrations through the clinic service would time the
 * register, not the reconnect; the receiver checks signatures and write rules only.
 */
async function idleReconnectBytes(docs: number): Promise<number> {
  const net = createMemoryNetwork({ seed: 12 });
  const [first, second] = await Promise.all([identity(1), identity(2)]);
  const members = new Map([first, second].map((d) => [d.member.deviceId, d.member] as const));
  const a = await replica(net, 'idle-a', first, members, true, true);
  const b = await replica(net, 'idle-b', second, members, true, true);
  for (let i = 0; i < docs; i++) {
    const docId = patientDocId(`${FACILITY}01${String(i).padStart(4, '0')}` as CtcId);
    await a.repo.write(docId, (doc) => doc.getMap('meta').set('note', `record ${i}`));
  }
  net.link(a.name, b.name);
  await settle(net, [a, b]);
  net.setOnline(b.name, false);
  await settle(net, [a, b]);
  const before = bytesSent(a, b);
  net.setOnline(b.name, true);
  await settle(net, [a, b]);
  const idle = bytesSent(a, b) - before;
  const held = [...(await b.store.listDocs())].length;
  if (held < docs) throw new Error(`the idle reader holds ${held} of ${docs} documents`);
  for (const r of [a, b]) r.engine.stop();
  return idle;
}

export async function signedBench(options: {
  docs: number;
  changedDocs: number;
  updates: number;
  rounds?: number;
  /** Shared documents of the idle reconnect (C1: 5,000). */
  idleDocs?: number;
}): Promise<{ signed: SignedFigures; signed_details: SignedDetails; signed_rounds: SignedRounds }> {
  const rounds = options.rounds ?? 2;
  const net = createMemoryNetwork({ seed: 11 });
  const [author, verifying, trusting] = await Promise.all([identity(1), identity(2), identity(3)]);
  const members = new Map(
    [author, verifying, trusting].map((d) => [d.member.deviceId, d.member] as const),
  );
  const a = await replica(net, 'author', author, members, true);
  const on = await replica(net, 'verifying', verifying, members, true);
  const off = await replica(net, 'trusting', trusting, members, false);
  const ids: CtcId[] = [];
  for (let n = 0; n < options.docs; n++) ids.push(await register(a.service, n));
  let n = 0;
  // Both readers first hold every document, as after an earlier full sync.
  for (const reader of [on, off]) await timedLink(net, a, reader);

  const verified: number[] = [];
  const unverified: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let u = 0; u < options.updates; u++) {
      await recordVisit(a.service, ids[(u * 7) % options.changedDocs]!, n++);
    }
    // Alternate which reader goes first, so neither gains from a warmer runtime.
    const order = round % 2 === 0 ? [off, on] : [on, off];
    for (const reader of order) {
      const ms = await timedLink(net, a, reader);
      (reader === on ? verified : unverified).push(ms);
    }
  }
  for (const reader of [on, off]) {
    for (const docId of [patientDocId(ids[0]!), registerDocId(FACILITY)]) {
      const want = Y.encodeStateVector(await a.repo.get(docId));
      const got = Y.encodeStateVector(await reader.repo.get(docId));
      if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) {
        throw new Error(`${reader.name} did not catch up ${docId}`);
      }
    }
    const refused = reader.engine.status().refusals;
    if (refused.length > 0) throw new Error(`${reader.name} refused ${JSON.stringify(refused[0])}`);
  }

  const idle = await idleReconnectBytes(options.idleDocs ?? 5_000);

  let overhead = 0;
  let count = 0;
  for (const docId of [...ids.map(patientDocId), registerDocId(FACILITY), networkDocId]) {
    for (const change of await a.store.loadChanges(docId)) {
      const decoded = decodeSignedChange(change.bytes);
      if (!decoded.ok) throw new Error('a stored change does not decode');
      overhead += change.bytes.length - decoded.value.update.length;
      count++;
    }
  }
  const sum = (list: number[]) => list.reduce((s, x) => s + x, 0);
  const verifiedMs = Math.round(sum(verified) / rounds);
  const unverifiedMs = Math.round(sum(unverified) / rounds);
  for (const r of [a, on, off]) r.engine.stop();
  return {
    signed: {
      catchup_ms_verified: verifiedMs,
      catchup_ms_unverified: unverifiedMs,
      signature_bytes_per_change: Math.round((overhead / count) * 10) / 10,
      idle_reconnect_bytes: idle,
    },
    signed_details: {
      docs: options.docs,
      idle_reconnect_docs: options.idleDocs ?? 5_000,
      changes_per_catchup: options.updates,
      rounds,
      catchup_verified_over_unverified: Math.round((sum(verified) / sum(unverified)) * 1000) / 1000,
      changes_stored_at_author: count,
    },
    signed_rounds: {
      count: rounds,
      order: 'the two readers alternate which catches up first, unverified first in even rounds',
      catchup_ms_verified: summarise(verified, 1),
      catchup_ms_unverified: summarise(unverified, 1),
      catchup_verified_over_unverified: summarise(verified.map((v, i) => v / unverified[i]!)),
      signature_bytes_per_change: 'one measurement: a byte count over every stored change',
    },
  };
}

if (process.argv[1]?.endsWith('signed.ts')) {
  const figures = await signedBench({ docs: 500, changedDocs: 50, updates: 500, rounds: 6 });
  console.info(JSON.stringify(figures, null, 2));
}
