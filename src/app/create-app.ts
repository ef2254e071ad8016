/**
 * The composition root: the only place that picks concrete adapters and wires them together.
 */
import { systemClock, type Clock } from '../lib/deps';
import { networkDocId } from '../crdt/doc-id';
import { DocumentRepository } from '../crdt/repository';
import { createDexieStore } from '../storage/dexie-store';
import { requestPersistence, storageUsage } from '../storage/quota';
import type { SyncLogger } from '../sync';
import { createClinicService, profileKey, type ExclusiveLock } from './clinic-service';
import { randomIds, type IdSource } from './ids';
import { createNetworkService, type NetworkController } from './network-service';
import { createBrowserPeerTransport, createTabTransport } from './peer-transport';
import { createReplicaHost } from './replica-host';
import { webLocks } from './web-locks';
import type { ClinicService, DeviceProfile } from './views';

export interface ClinicApp {
  service: ClinicService;
  network: NetworkController;
  repo: DocumentRepository;
  close(): void | Promise<void>;
}

export interface ClinicAppOptions {
  databaseName?: string;
  clock?: Clock;
  ids?: IdSource;
  /** Signaling servers offered when joining a network (build-time default). */
  defaultSignalingUrls?: string[];
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

export async function createClinicApp(options: ClinicAppOptions = {}): Promise<ClinicApp> {
  const clock = options.clock ?? systemClock;
  const databaseName = options.databaseName ?? 'pamoja';
  const store = createDexieStore({ name: databaseName, clock });
  await store.open();
  const repo = new DocumentRepository({ store, clock });
  const profile = await store.getMeta<DeviceProfile>(profileKey);
  // The network document stays open: it is small and read on every screen.
  await repo.get(networkDocId);
  // The host asks the network settings whether this device is a relay; they exist only after.
  const settingsRef: { network?: NetworkController } = {};
  const network = await createNetworkService({
    repo,
    store,
    host: createReplicaHost(repo, store, {
      isRelay: () => settingsRef.network?.settings()?.relay ?? false,
    }),
    clock,
    logger: consoleLogger,
    defaultSignalingUrls: options.defaultSignalingUrls ?? [],
    createPeerTransport: (settings, device) =>
      createBrowserPeerTransport(settings, device, consoleLogger),
    createTabTransport: () => createTabTransport(databaseName),
  });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: options.ids ?? randomIds,
    storage: { usage: () => storageUsage(), requestPersistence: () => requestPersistence() },
    onProfileReady: (device) => network.start(device),
    ...(webLock ? { lock: webLock } : {}),
    ...(profile ? { profile } : {}),
  });
  settingsRef.network = network;
  if (profile) {
    // A register summary whose write failed after its record was saved is restored here.
    service
      .repairRegister()
      .catch((error: unknown) => console.warn('Register repair did not finish', error));
    await network.start(profile);
  }
  return {
    service,
    network,
    repo,
    close: () => {
      network.stop();
      return store.close();
    },
  };
}
