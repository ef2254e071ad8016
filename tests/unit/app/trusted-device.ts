/**
 * A device over the real app stack with its own key and membership (issue 8): memory store,
 * repository with the app's update policy (membership ops verified), trust service, clinic
 * service known by the key's id, and the network service syncing over an in-memory network.
 */
import { createClinicService } from '../../../src/app/clinic-service';
import { createAppRepository } from '../../../src/app/app-repository';
import { sequentialIds } from '../../../src/app/ids';
import { createNetworkService, type NetworkController } from '../../../src/app/network-service';
import { createReplicaHost } from '../../../src/app/replica-host';
import { createTrustService, type TrustService } from '../../../src/app/trust-service';
import { profileKey } from '../../../src/app/clinic-service';
import type {
  ClinicService,
  DeviceProfile,
  DeviceSetupInput,
  InviteInput,
} from '../../../src/app/views';
import type { DocId } from '../../../src/crdt/doc-id';
import type { DocumentRepository } from '../../../src/crdt/repository';
import { deviceClientIds } from '../../../src/crdt/trust/client-ids';
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  type DeviceKey,
} from '../../../src/crdt/trust/device-key';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import type { MemoryNetwork, SyncLogger } from '../../../src/sync';
import { memoryPeerTransport } from './device';
import { setupInput, testClock } from './harness';

export interface LoggedEvent {
  level: string;
  event: string;
  details: Record<string, unknown>;
}

export interface TrustedDevice {
  name: string;
  service: ClinicService;
  network: NetworkController;
  trust: TrustService;
  repo: DocumentRepository;
  store: MemoryStore;
  log: LoggedEvent[];
  key: DeviceKey;
  /**
   * Modified software: hands `changes` to the engine as if this device had just stored them, so
   * they go to every peer exactly as given (forged bytes included).
   */
  inject(docId: DocId, changes: readonly Uint8Array[]): void;
}

const verifier = createWebCryptoVerifier();

/** A device not set up yet, whose peer link is node `name` of `net`. */
export async function trustedDevice(
  net: MemoryNetwork,
  name: string,
  clock = testClock('2026-03-10T09:00:00.000Z'),
  /** A restart: the storage and key of a device that was stopped. */
  reuse?: { store: MemoryStore; key: DeviceKey },
): Promise<TrustedDevice> {
  const log: LoggedEvent[] = [];
  const logger: SyncLogger = {
    log: (level, event, details) => log.push({ level, event, details }),
  };
  const store = reuse?.store ?? createMemoryStore({ clock });
  const ref: { trust?: TrustService } = {};
  const key = reuse?.key ?? (await createDeviceKey({ algorithm: 'Ed25519' }));
  const profile = await store.getMeta<DeviceProfile>(profileKey);
  const repo = createAppRepository({
    store,
    clock,
    key,
    deviceId: await deviceIdFromPublicKey(key.publicKey),
    verifier,
    trust: () => ref.trust,
    clientId: (await deviceClientIds(key.publicKey))[0]!,
  });
  const trust = await createTrustService({ repo, store, clock, key, verifier, logger });
  ref.trust = trust;
  const started: { network?: NetworkController } = {};
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds(name),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
      requestPersistence: () => Promise.resolve(false),
    },
    deviceId: trust.key.deviceId,
    writesNothing: () => started.network?.settings()?.relay ?? false,
    readScope: () => {
      const state = trust.state();
      return state.kind === 'member' ? state.member.readScope : undefined;
    },
    onProfileReady: (ready) => started.network!.start(ready),
    ...(profile ? { profile } : {}),
  });
  const host = createReplicaHost(repo, store, {
    isRelay: () => started.network?.settings()?.relay ?? false,
    selfId: trust.key.deviceId,
  });
  type Listener = Parameters<typeof host.onDocUpdate>[0];
  const listeners = new Set<Listener>();
  const onDocUpdate = host.onDocUpdate.bind(host);
  host.onDocUpdate = (listener) => {
    listeners.add(listener);
    const off = onDocUpdate(listener);
    return () => {
      listeners.delete(listener);
      off();
    };
  };
  const inject = (docId: DocId, changes: readonly Uint8Array[]) => {
    for (const listener of listeners) listener(docId, changes, 'local');
  };
  const network = await createNetworkService({
    repo,
    store,
    host,
    clock,
    logger,
    defaultSignalingUrls: [],
    createPeerTransport: memoryPeerTransport(net, name),
    trust,
    appUrl: () => 'https://pamoja.example/app/',
  });
  started.network = network;
  if (profile) await network.start(profile);
  return { name, service, network, trust, repo, store, log, inject, key };
}

/** The device stops and starts again on its own storage and key, as after closing the app. */
export async function restart(net: MemoryNetwork, device: TrustedDevice): Promise<TrustedDevice> {
  device.network.stop();
  const again = await trustedDevice(net, device.name, undefined, {
    store: device.store,
    key: device.key,
  });
  // Its peers dial it again, as WebRTC does when a device comes back.
  net.reconnect();
  return again;
}

export const networkInput = {
  networkName: 'Kinondoni CTCs',
  signalingUrls: 'ws://127.0.0.1:4444',
  iceUrls: '',
  iceUsername: '',
  iceCredential: '',
};

export function inviteFor(facilityCode: string, facilityName: string, slot = 1): InviteInput {
  return {
    role: 'clinician',
    facilityCode,
    facilityName,
    district: 'Kinondoni',
    region: 'Dar es Salaam',
    deviceSlot: String(slot),
    scopeDistrict: '',
    validDays: '7',
    uses: '1',
  };
}

/** Sets the device up as the facility an invite names. */
export async function setUpFrom(device: TrustedDevice, link: string): Promise<void> {
  const summary = device.network.readInvite(link);
  if (!summary.ok) throw new Error(`invite unreadable: ${summary.error}`);
  const s = summary.value;
  const input: DeviceSetupInput = {
    ...setupInput,
    facilityName: s.facilityName ?? '',
    facilityCode: s.facilityCode ?? '',
    district: s.district ?? '',
    region: s.region ?? '',
    deviceSlot: String(s.slot ?? ''),
    userName: `User of ${device.name}`,
  };
  const profile = await device.service.setupDevice(input);
  if (!profile.ok) throw new Error(`setup failed: ${JSON.stringify(profile.error)}`);
}

/** The first device: set up at `facilityCode` and the creator of the network. */
export async function founder(net: MemoryNetwork, name: string): Promise<TrustedDevice> {
  const device = await trustedDevice(net, name);
  const profile = await device.service.setupDevice({ ...setupInput, userName: 'Neema Mushi' });
  if (!profile.ok) throw new Error('setup');
  const created = await device.network.createNetwork(networkInput);
  if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
  return device;
}

export const closeReasonsOf = (device: TrustedDevice): string[] =>
  device.log.filter((e) => e.event === 'sync.session-closed').map((e) => String(e.details.reason));

/** Lets every frame, engine and store of `devices` settle. */
export async function settle(net: MemoryNetwork, ...devices: TrustedDevice[]) {
  // Quiet means several rounds in a row with nothing in flight: signatures are verified and
  // storage written off the network's schedule, so one quiet round can be a pause (a busy CI).
  let quiet = 0;
  for (let i = 0; i < 200 && quiet < 4; i += 1) {
    await net.flush();
    await Promise.all(devices.map((d) => d.network.engine()?.whenIdle() ?? Promise.resolve()));
    await new Promise((resolve) => setTimeout(resolve, 5));
    quiet = net.inFlight() === 0 ? quiet + 1 : 0;
  }
}

export async function invite(admin: TrustedDevice, code: string, name: string, slot = 1) {
  const created = await admin.network.createInvite(inviteFor(code, name, slot));
  if (!created.ok) throw new Error(`invite failed: ${JSON.stringify(created.error)}`);
  return created.value.link;
}

export async function joinWith(device: TrustedDevice, link: string) {
  await setUpFrom(device, link);
  const joined = await device.network.joinWithInvite(link);
  if (!joined.ok) throw new Error(`join failed: ${JSON.stringify(joined.error)}`);
}
