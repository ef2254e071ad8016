/**
 * The composition root: the only place that picks concrete adapters and wires them together.
 */
import { systemClock, type Clock } from '../lib/deps';
import { networkDocId } from '../crdt/doc-id';
import type { DocumentStore } from '../crdt/ports';
import type { DocumentRepository } from '../crdt/repository';
import { deviceClientIds } from '../crdt/trust/client-ids';
import {
  deviceIdFromPublicKey,
  loadOrCreateDeviceKey,
  webCryptoVerifier,
  type DeviceKey,
} from '../crdt/trust/device-key';
import type { DeviceId } from '../domain/types';
import { createDexieStore } from '../storage/dexie-store';
import { createIndexedDbDeviceKeyVault, DEVICE_KEY_DATABASE } from '../storage/device-key-vault';
import { requestPersistence, storageUsage } from '../storage/quota';
import type { SyncLogger } from '../sync';
import { createAppRepository } from './app-repository';
import { lazyCareService } from './care-lazy';
import type { CareService } from './care-views';
import { createClinicCore, profileKey, type ExclusiveLock } from './clinic-service';
import { browserLeaseLocks, leaseClientId } from './client-id-lease';
import { createExtrasPruner, trackRecordUse } from './extras-pruning';
import { randomIds, type IdSource } from './ids';
import { createNetworkService, type NetworkController } from './network-service';
import type * as PeerTransports from './peer-transport';
import { createReplicaHost } from './replica-host';
import { lazyReportService } from './report-lazy';
import type { ReportService } from './report-service';
import { webLocks } from './web-locks';
import { createTrustService, type TrustService } from './trust-service';
import type { ClinicService, DeviceProfile } from './views';

export interface ClinicApp {
  service: ClinicService;
  /** Follow-up lists, alerts and tracing (issue 10); its code is fetched on first use. */
  care: CareService;
  network: NetworkController;
  repo: DocumentRepository;
  /** Monthly reports: this facility's, computed here and published; every facility's, read. */
  reports: ReportService;
  /**
   * Starts what the first screen does not need: replication (engine, tab link, WebRTC), the
   * extras pruner and the register repair, each with its bulk reads of storage. The page calls
   * it once the first screen is shown (main.ts); calling it again does nothing.
   */
  startBackground(): void;
  close(): void | Promise<void>;
}

export interface ClinicAppOptions {
  databaseName?: string;
  clock?: Clock;
  ids?: IdSource;
  /** Signaling servers offered when joining a network (build-time default). */
  defaultSignalingUrls?: string[];
  /** An invite link the app was opened with (already removed from the address bar). */
  openedInvite?: string;
  /** The app's address, which invite links point to. */
  appUrl?: string;
}

const consoleLogger: SyncLogger = {
  log(level, event, details) {
    if (level === 'debug') return;
    (level === 'warn' ? console.warn : console.info)(`[sync] ${event}`, details);
  },
};

/** Web Locks span every tab of this origin: the CTC serial is allocated by one tab at a time. */
const webLock: ExclusiveLock | undefined = (() => {
  const locks = webLocks();
  return locks ? <T>(name: string, run: () => Promise<T>) => locks.request(name, run) : undefined;
})();

export { appUpdatePolicy } from './app-repository';

/** K13: the device key lives in its own database beside the records' (device-key-vault.ts). */
async function openDeviceKey(databaseName: string): Promise<DeviceKey> {
  const vault = createIndexedDbDeviceKeyVault({
    name: databaseName === 'pamoja' ? DEVICE_KEY_DATABASE : `${databaseName}-keys`,
  });
  const key = await loadOrCreateDeviceKey(vault);
  if (!key.ok) throw new Error(`The device key is not usable: ${key.error.detail}`);
  return key.value;
}

/**
 * The saved profile, known by the device key's id: a device set up before it had a key gets
 * that id now, so its sessions prove the id they announce (A-identity, K11).
 */
async function profileOf(
  store: DocumentStore,
  deviceId: DeviceId,
): Promise<DeviceProfile | undefined> {
  const saved = await store.getMeta<DeviceProfile>(profileKey);
  if (!saved || saved.deviceId === deviceId) return saved;
  const migrated = { ...saved, deviceId };
  await store.setMeta(profileKey, migrated);
  return migrated;
}

export async function createClinicApp(options: ClinicAppOptions = {}): Promise<ClinicApp> {
  const clock = options.clock ?? systemClock;
  const databaseName = options.databaseName ?? 'pamoja';
  const store = createDexieStore({ name: databaseName, clock });
  await store.open();
  // The search index's one read of the patient and directory tables starts now, beside the
  // rest of start-up, so the first search finds it built (a failure is retried by that search).
  store.prepareSearch().catch((error: unknown) => console.warn('Search index not built', error));
  const key = await openDeviceKey(databaseName);
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  // D16, SC13: one of the key's own client ids per tab, reused across page sessions.
  const lease = await leaseClientId({
    store,
    locks: browserLeaseLocks(),
    random: Math.random,
    candidates: await deviceClientIds(key.publicKey),
  });
  // The update policy (docs/protocol.md §15), signatures and write rules see every change from
  // a peer before it is stored; every change of ours is signed.
  const trustRef: { trust?: TrustService } = {};
  const repo = createAppRepository({
    store,
    clock,
    key,
    deviceId,
    verifier: webCryptoVerifier,
    trust: () => trustRef.trust,
    clientId: lease.clientId,
    // A record compacts after 4 stored updates, off the save path: its changes are packed and
    // its own runs coalesced (decision 0023), so a record stays near 2.5 KB on disk.
    options: { compactPatientsAfter: 4 },
  });
  // The network document stays open: it is small and read on every screen.
  await repo.get(networkDocId);
  const trust = await createTrustService({
    repo,
    store,
    clock,
    key,
    verifier: webCryptoVerifier,
    logger: consoleLogger,
  });
  trustRef.trust = trust;
  const profile = await profileOf(store, trust.key.deviceId);
  // The host asks the network settings whether this device is a relay; they exist only after.
  const settingsRef: { network?: NetworkController } = {};
  const isRelay = () => settingsRef.network?.settings()?.relay ?? false;
  const host = createReplicaHost(repo, store, { isRelay, clock, selfId: deviceId });
  // WebRTC and the tab link are their own chunk, fetched once replication starts, which is
  // after the first screen: nothing on the way to a searchable list waits on a peer.
  let transports: typeof PeerTransports | undefined;
  const loadTransports = async () => {
    transports ??= await import('./peer-transport');
  };
  const network = await createNetworkService({
    repo,
    store,
    host,
    clock,
    logger: consoleLogger,
    defaultSignalingUrls: options.defaultSignalingUrls ?? [],
    createPeerTransport: (settings, device) =>
      transports?.createBrowserPeerTransport(settings, device, consoleLogger),
    createTabTransport: () => transports?.createTabTransport(databaseName),
    trust,
    ...(options.appUrl ? { appUrl: () => options.appUrl as string } : {}),
    ...(options.openedInvite ? { openedInvite: options.openedInvite } : {}),
  });
  const { service, writes } = createClinicCore({
    repo,
    store,
    clock,
    ids: options.ids ?? randomIds,
    storage: { usage: () => storageUsage(), requestPersistence: () => requestPersistence() },
    onProfileReady: (device) => loadTransports().then(() => network.start(device)),
    onStorageFailure: (error) => network.noteStorageWrite(error),
    deviceId: trust.key.deviceId,
    writesNothing: isRelay,
    readScope: () => {
      const state = trust.state();
      return state.kind === 'member' ? state.member.readScope : undefined;
    },
    ...(webLock ? { lock: webLock } : {}),
    ...(profile ? { profile } : {}),
  });
  settingsRef.network = network;
  const care = lazyCareService(
    { repo, store, clock, writes, profile: () => service.profile() },
    () => import('./care-service'),
  );
  // Z7–Z12: records of other facilities are pruned by last use and a budget, now and then.
  const pruner = createExtrasPruner({
    repo,
    store,
    host,
    facility: () => service.profile()?.facility.code,
    isRelay,
    clock,
  });
  trackRecordUse(service, pruner);
  // Decision 0026: the facility's figures are published in the background (a supervisor's or a
  // relay's device publishes nothing).
  const reports = lazyReportService(
    { repo, store, clock, profile: () => service.profile(), writesNothing: isRelay },
    () => import('./report-service'),
  );
  let started = false;
  let closed = false;
  const startBackground = () => {
    if (started || closed) return;
    started = true;
    pruner.start();
    reports.start();
    if (!profile) return;
    // A register summary whose write failed after its record was saved is restored here.
    service
      .repairRegister()
      .catch((error: unknown) => console.warn('Register repair did not finish', error));
    loadTransports()
      .then(() => (closed ? undefined : network.start(profile)))
      .catch((error: unknown) => console.warn('Replication did not start', error));
  };
  return {
    service,
    care,
    network,
    repo,
    reports,
    startBackground,
    close: () => {
      closed = true;
      pruner.stop();
      reports.stop();
      network.stop();
      // The id is free for another tab only once this tab can store nothing more under it.
      // Background compaction finishes first, so it never runs into a closed database.
      return repo
        .idle()
        .then(() => store.close())
        .finally(() => lease.release());
    },
  };
}
