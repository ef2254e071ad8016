/**
 * One device over the real app stack, headless: a store, the `DocumentRepository`, the clinic
 * service and (with `createNetworkedDevice`) the network service with the app's replica host,
 * whose peer link is one node of an in-memory network. Tests say only what differs: the store,
 * the update policy, the clock, timers, the request timeout, the logger, relay.
 */
import { expect } from 'vitest';
import { createClinicService } from '../../../src/app/clinic-service';
import { appUpdatePolicy } from '../../../src/app/create-app';
import { sequentialIds } from '../../../src/app/ids';
import {
  createNetworkService,
  type NetworkController,
  type PeerTransport,
} from '../../../src/app/network-service';
import { createReplicaHost } from '../../../src/app/replica-host';
import type { ClinicService, DeviceProfile, DeviceSetupInput } from '../../../src/app/views';
import type { DocumentStore, PatientQueries } from '../../../src/crdt/ports';
import type { RemoteUpdateCheck } from '../../../src/crdt/policy/refusal';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import { silentLogger, type MemoryNetwork, type SyncLogger, type Timers } from '../../../src/sync';
import { setupInput, testClock } from './harness';

type TestClock = ReturnType<typeof testClock>;
type AppStore = DocumentStore & PatientQueries;

export interface ClinicOptions<S extends AppStore> {
  /** Names the device's ids (`sequentialIds`). */
  name: string;
  clock?: TestClock;
  /** The device's store; a memory store by default. */
  store?: (clock: TestClock) => S;
  /** The update policy the repository runs on remote updates. */
  checkRemote?: RemoteUpdateCheck;
  /** Wire the app's own update policy (`appUpdatePolicy`), as `createClinicApp` does. */
  appPolicy?: boolean;
  onProfileReady?: (profile: DeviceProfile) => Promise<void>;
}

export interface Clinic<S extends AppStore> {
  service: ClinicService;
  store: S;
  repo: DocumentRepository;
  clock: TestClock;
}

/** The store, repository and clinic service of one device (no network). */
export function createClinic<S extends AppStore = MemoryStore>(
  options: ClinicOptions<S>,
): Clinic<S> {
  const clock = options.clock ?? testClock('2026-03-10T09:00:00.000Z');
  const store = options.store
    ? options.store(clock)
    : (createMemoryStore({ clock }) as unknown as S);
  const checkRemote = options.appPolicy ? appUpdatePolicy(store, () => repo) : options.checkRemote;
  const repo: DocumentRepository = new DocumentRepository({
    store,
    clock,
    ...(checkRemote ? { checkRemote } : {}),
  });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds(options.name),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
      requestPersistence: () => Promise.resolve(false),
    },
    ...(options.onProfileReady ? { onProfileReady: options.onProfileReady } : {}),
  });
  return { service, store, repo, clock };
}

export interface NetworkedDeviceOptions<S extends AppStore> extends Omit<
  ClinicOptions<S>,
  'onProfileReady'
> {
  /** Set up as this (facility, user); on top of the harness's `setupInput`. */
  setup: Partial<DeviceSetupInput>;
  /** Keep a copy of every record (the network setting). */
  relay?: boolean;
  timers?: Timers;
  requestTimeoutMs?: number;
  logger?: SyncLogger;
  /** What the peer link's "reconnect" does (nothing by default). */
  reconnect?: () => void;
}

export interface NetworkedDevice<S extends AppStore> extends Clinic<S> {
  network: NetworkController;
}

/** The app's peer transport as node `name` of `net` (always "connected" to signaling). */
export function memoryPeerTransport(
  net: MemoryNetwork,
  name: string,
  reconnect: () => void = () => undefined,
): () => PeerTransport {
  const transport = net.node(name);
  return () => ({
    onPeerConnected: (listener) => transport.onPeerConnected(listener),
    start: () => Promise.resolve(),
    stop: () => undefined,
    reconnect,
    signalingState: () => 'connected',
    peerConnectionCount: () => 0,
    onChange: () => () => undefined,
  });
}

/** A set-up device whose network service syncs over `net` as node `name`. */
export async function createNetworkedDevice<S extends AppStore = MemoryStore>(
  net: MemoryNetwork,
  options: NetworkedDeviceOptions<S>,
): Promise<NetworkedDevice<S>> {
  const started: { network?: NetworkController } = {};
  const clinic = createClinic({
    ...options,
    onProfileReady: (profile) => started.network!.start(profile),
  });
  const { repo, store, clock } = clinic;
  const peerTransport = memoryPeerTransport(net, options.name, options.reconnect);
  const network = await createNetworkService({
    repo,
    store,
    host: createReplicaHost(repo, store, {
      isRelay: () => started.network?.settings()?.relay ?? false,
    }),
    clock,
    logger: options.logger ?? silentLogger,
    defaultSignalingUrls: [],
    createPeerTransport: peerTransport,
    ...(options.requestTimeoutMs !== undefined
      ? { requestTimeoutMs: options.requestTimeoutMs }
      : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  started.network = network;
  const saved = await network.saveSettings({
    networkName: 'Kinondoni',
    secret: 'a shared secret',
    signalingUrls: 'ws://127.0.0.1:4444',
    iceUrls: '',
    iceUsername: '',
    iceCredential: '',
    relay: options.relay ?? false,
  });
  expect(saved.ok).toBe(true);
  const profile = await clinic.service.setupDevice({ ...setupInput, ...options.setup });
  expect(profile.ok).toBe(true);
  return { ...clinic, network };
}

/** Lets the network and every device's engine go quiet (at most 20 rounds). */
export async function settle(net: MemoryNetwork, ...devices: { network: NetworkController }[]) {
  for (let i = 0; i < 20; i += 1) {
    await net.flush();
    await Promise.all(devices.map((d) => d.network.engine()?.whenIdle() ?? Promise.resolve()));
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (net.inFlight() === 0) return;
  }
}
