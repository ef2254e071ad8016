/**
 * The real stack, headless: devices with several tabs, every tab its own `DocumentRepository`,
 * `ClinicService` and network service over the device's Dexie database (fake-indexeddb, one
 * `IDBFactory` per device, so devices never share storage and tabs of one device always do).
 * Each tab is wired as `createClinicApp` wires one: the app's update policy
 * (`appUpdatePolicy`), a leased client id (D16, over Web Locks of the device), the app's replica
 * host, and signed changes (each device has its own key, its tabs write under the key's own
 * client ids, and every change from a peer is verified against a fixed directory of the world's
 * devices, as enrolled clinicians of their facility). The extras pruner is not run (it prunes on a timer; P4 checks own-facility holdings).
 *
 * Links are memory transports with seeded schedulers, wired the way the app wires its own:
 * - the tab link (the app's BroadcastChannel transport) is one memory network per device, so a
 *   partition between devices never cuts it and its schedule is seeded like the rest;
 * - the peer link (the app's WebRTC transport) is one node per device on the network between
 *   devices, run by one tab at a time: the first tab to ask leads, the next one takes over when
 *   it closes or works offline (the Web Lock in `src/app/peer-transport.ts`).
 * "Work offline" is the app's own switch (`setSyncEnabled(false)`) in every open tab of the
 * device: every link of the device goes down, the tab link included.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  createClinicService,
  profileKey,
  type ExclusiveLock,
} from '../../../src/app/clinic-service';
import { leaseClientId, type LeaseLocks } from '../../../src/app/client-id-lease';
import { appUpdatePolicy } from '../../../src/app/app-repository';
import { sequentialIds } from '../../../src/app/ids';
import { createNetworkService, type NetworkController } from '../../../src/app/network-service';
import { createReplicaHost } from '../../../src/app/replica-host';
import type { ClinicService, DeviceProfile, NetworkSettingsInput } from '../../../src/app/views';
import { networkDocId } from '../../../src/crdt/doc-id';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createChangeSigner } from '../../../src/crdt/trust/change-signer';
import { deviceClientIds } from '../../../src/crdt/trust/client-ids';
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  type DeviceKey,
} from '../../../src/crdt/trust/device-key';
import type { Member } from '../../../src/crdt/trust/types';
import type { DeviceId, FacilityCode } from '../../../src/domain/types';
import { createDexieStore, type DexieStore } from '../../../src/storage/dexie-store';
import {
  createMemoryNetwork,
  silentLogger,
  type FaultRates,
  type MemoryNetwork,
} from '../../../src/sync';
import { createSeededRandom } from '../../../src/lib/deps';
import { setupInput, testClock } from '../app/harness';
import { createLinks, deviceLocks, serialLock, type LinkedDevice } from './links';

export const DATABASE = 'pamoja';

export const networkForm: NetworkSettingsInput = {
  networkName: 'Kinondoni',
  secret: 'a shared secret',
  signalingUrls: 'ws://127.0.0.1:4444',
  iceUrls: '',
  iceUsername: '',
  iceCredential: '',
};

export interface DeviceSpec {
  facility: { code: string; name: string };
  /** The device slot within its facility (CTC ID serial block). */
  slot: string;
}

export interface WorldOptions {
  seed: number;
  devices: readonly DeviceSpec[];
  /** Stored updates per document before a repository compacts them (low, to compact often). */
  compactAfter: number;
  /** Patient documents a repository keeps open. */
  cacheLimit?: number;
  /** Faults on the links between devices. */
  faults?: Partial<FaultRates>;
}

export interface Tab {
  readonly id: string;
  readonly device: Device;
  readonly store: DexieStore;
  readonly repo: DocumentRepository;
  /** Frees the tab's client id (on close). */
  readonly releaseClientId: () => void;
  readonly service: ClinicService;
  readonly network: NetworkController;
}

export interface Device extends LinkedDevice {
  readonly spec: DeviceSpec;
  readonly idb: IDBFactory;
  /** Open tabs, oldest first. */
  readonly tabs: Tab[];
  /** The Web Lock that orders CTC serial allocation across the tabs of this device. */
  readonly lock: ExclusiveLock;
  /** The device's Web Locks as the client-id lease uses them (D16). */
  readonly leaseLocks: LeaseLocks;
  readonly random: () => number;
  opened: number;
  /** The device key, made when its first tab opens, and the client ids it may write under. */
  signing?: { key: DeviceKey; deviceId: DeviceId; clientIds: number[] };
}

export interface World {
  readonly devices: readonly Device[];
  /** The network between devices. */
  readonly net: MemoryNetwork;
  readonly clock: ReturnType<typeof testClock>;
  openTab(device: Device): Promise<Tab>;
  closeTab(tab: Tab): Promise<void>;
  /** Every tab closes; as many open again on the same database. */
  restart(device: Device): Promise<void>;
  /** "Work offline" on (or off) in every open tab of the device. */
  setWorkOffline(device: Device, offline: boolean): void;
  /** Devices in different groups cannot reach each other; their tabs stay linked. */
  partition(groups: readonly (readonly Device[])[]): void;
  heal(): void;
  /** Re-open every link that is down (lost to a fault, or a leader that changed). */
  reconnect(): void;
  /** Deliver up to `steps` frames on each network, then let storage work proceed. */
  deliver(steps: number): Promise<void>;
  /** Until nothing is in flight anywhere and every engine is idle. */
  settle(): Promise<void>;
  /** Time passes (the app's clock-driven refreshes see it). */
  advance(ms: number): void;
  /** A minute later: faults off, partitions healed, every device online, every link up, settled. */
  healAll(): Promise<void>;
  /** Every update a tab's engine refused, closed tabs included (as `tab: docId reason detail`). */
  refusals(): string[];
  dispose(): Promise<void>;
}

const verifier = createWebCryptoVerifier();

/** A device's key, enrolled in the world's directory as a clinician of its facility. */
async function signingOf(
  device: Device,
  directory: Map<DeviceId, Member>,
): Promise<NonNullable<Device['signing']>> {
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  directory.set(deviceId, {
    deviceId,
    publicKey: key.publicKey,
    algorithm: key.algorithm,
    role: 'clinician',
    facilityCode: device.spec.facility.code as FacilityCode,
    slot: Number(device.spec.slot),
  });
  return { key, deviceId, clientIds: await deviceClientIds(key.publicKey) };
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createWorld(options: WorldOptions): Promise<World> {
  const clock = testClock('2026-03-10T09:00:00.000Z');
  const net = createMemoryNetwork({ seed: options.seed, faults: options.faults ?? {} });
  let disposed = false;
  const closedRefusals: string[] = [];
  const refusalsOf = (tab: Tab): string[] =>
    (tab.network.engine()?.status().refusals ?? []).map(
      (r) => `${tab.id} refused ${r.docId} from ${r.deviceId ?? '?'}: ${r.reason} ${r.detail}`,
    );

  const devices: Device[] = options.devices.map((spec, index) => ({
    name: `d${index}`,
    spec,
    idb: new IDBFactory(),
    tabs: [],
    tabNet: createMemoryNetwork({ seed: options.seed * 31 + index + 1 }),
    linkedTabs: new Set(),
    leaderQueue: [],
    lock: serialLock(),
    leaseLocks: deviceLocks(),
    random: (() => {
      const random = createSeededRandom(options.seed * 7 + index + 1);
      return () => random.next();
    })(),
    opened: 0,
  }));
  for (let i = 0; i < devices.length; i++)
    for (let j = i + 1; j < devices.length; j++)
      net.link((devices[i] as Device).name, (devices[j] as Device).name);
  // A device with no leading tab is off the network until one leads.
  for (const device of devices) net.setOnline(device.name, false);

  const links = createLinks(net);
  /** Who may write: every device of the world, a clinician of its facility. */
  const directory = new Map<DeviceId, Member>();

  /** Opens a tab the way `createClinicApp` does, over the device's database. */
  async function openTab(device: Device): Promise<Tab> {
    const id = `${device.name}.t${device.opened++}`;
    const store = createDexieStore({
      name: DATABASE,
      indexedDB: device.idb,
      IDBKeyRange,
      clock,
    });
    await store.open();
    const signing = (device.signing ??= await signingOf(device, directory));
    const checkRemote = appUpdatePolicy(store, () => repo, undefined, {
      verifier,
      self: () => ({
        deviceId: signing.deviceId,
        publicKey: signing.key.publicKey,
        algorithm: signing.key.algorithm,
      }),
      member: (deviceId) => directory.get(deviceId),
    });
    const lease = await leaseClientId({
      store,
      locks: device.leaseLocks,
      random: device.random,
      candidates: signing.clientIds,
    });
    const repo: DocumentRepository = new DocumentRepository({
      store,
      clock,
      compactAfter: options.compactAfter,
      cacheLimit: options.cacheLimit ?? 4,
      checkRemote,
      clientId: lease.clientId,
      signChange: createChangeSigner(signing.key, signing.deviceId),
    });
    const profile = await store.getMeta<DeviceProfile>(profileKey);
    await repo.get(networkDocId);
    const settingsRef: { network?: NetworkController } = {};
    const network = await createNetworkService({
      repo,
      store,
      host: createReplicaHost(repo, store, {
        isRelay: () => settingsRef.network?.settings()?.relay ?? false,
        clock,
      }),
      clock,
      logger: silentLogger,
      defaultSignalingUrls: [],
      createPeerTransport: () => links.peerLink(device, id),
      createTabTransport: () => links.tabLink(device, id),
      requestTimeoutMs: 500,
    });
    settingsRef.network = network;
    const service = createClinicService({
      repo,
      store,
      clock,
      ids: sequentialIds(id),
      storage: {
        usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
        requestPersistence: () => Promise.resolve(false),
      },
      onProfileReady: (ready) => network.start(ready),
      lock: device.lock,
      deviceId: signing.deviceId,
      ...(profile ? { profile } : {}),
    });
    const tab: Tab = {
      id,
      device,
      store,
      repo,
      service,
      network,
      releaseClientId: () => lease.release(),
    };
    device.tabs.push(tab);
    if (network.settings() === undefined) {
      const saved = await network.saveSettings(networkForm);
      if (!saved.ok) throw new Error(`network settings refused: ${JSON.stringify(saved.error)}`);
    }
    if (profile) {
      await service.repairRegister();
      await network.start(profile);
    } else {
      const ready = await service.setupDevice({
        ...setupInput,
        facilityCode: device.spec.facility.code,
        facilityName: device.spec.facility.name,
        deviceSlot: device.spec.slot,
        userName: `Clinician ${device.name}`,
      });
      if (!ready.ok) throw new Error(`setup failed: ${JSON.stringify(ready.error)}`);
    }
    return tab;
  }

  async function closeTab(tab: Tab): Promise<void> {
    const { tabs } = tab.device;
    const index = tabs.indexOf(tab);
    if (index < 0) return;
    tabs.splice(index, 1);
    // Work in flight (a peer's update being stored) finishes before the page goes away.
    await tab.network.engine()?.whenIdle();
    closedRefusals.push(...refusalsOf(tab));
    tab.network.stop();
    await tab.store.close();
    tab.releaseClientId();
  }

  async function settle(): Promise<void> {
    const nets = [net, ...devices.map((d) => d.tabNet)];
    let quiet = 0;
    for (let round = 0; round < 2_000 && quiet < 3; round++) {
      let delivered = 0;
      for (const n of nets) while (n.step()) delivered++;
      const engines = devices.flatMap((d) => d.tabs.map((t) => t.network.engine()));
      await Promise.all(engines.map((e) => (e ? e.whenIdle() : Promise.resolve())));
      await macrotask();
      const inFlight = nets.reduce((sum, n) => sum + n.inFlight(), 0);
      quiet = delivered === 0 && inFlight === 0 ? quiet + 1 : 0;
    }
  }

  const world: World = {
    devices,
    net,
    clock,
    openTab,
    closeTab,
    async restart(device) {
      const count = device.tabs.length;
      for (const tab of [...device.tabs]) await closeTab(tab);
      for (let i = 0; i < Math.max(1, count); i++) await openTab(device);
    },
    setWorkOffline(device, offline) {
      for (const tab of device.tabs) tab.network.setSyncEnabled(!offline);
    },
    partition(groups) {
      net.partition(groups.map((group) => group.map((device) => device.name)));
    },
    heal: () => net.heal(),
    reconnect() {
      net.reconnect();
      for (const device of devices) device.tabNet.reconnect();
    },
    async deliver(steps) {
      for (const n of [net, ...devices.map((d) => d.tabNet)])
        for (let i = 0; i < steps && n.step(); i++);
      for (let i = 0; i < 3; i++) await macrotask();
    },
    settle,
    advance(ms) {
      clock.set(new Date(clock.now() + ms).toISOString());
    },
    async healAll() {
      world.advance(60_000);
      net.setFaults({ loss: 0, duplicate: 0, reorder: 0 });
      for (const device of devices) world.setWorkOffline(device, false);
      net.heal();
      world.reconnect();
      await settle();
      // Every device reconnects once more on fresh connections (a later session must not take
      // a stale digest for "in sync"), and reconciliation finds what live forwarding missed.
      net.partition(devices.map((device) => [device.name]));
      net.heal();
      await settle();
    },
    refusals: () => [...closedRefusals, ...devices.flatMap((d) => d.tabs.flatMap(refusalsOf))],
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const device of devices) for (const tab of [...device.tabs]) await closeTab(tab);
    },
  };
  return Promise.resolve(world);
}

/** The number of frames and errors a world's networks saw; a correct engine never throws. */
export function receiverErrors(world: World): unknown[] {
  return [world.net, ...world.devices.map((d) => d.tabNet)].flatMap((n) => n.receiverErrors);
}
