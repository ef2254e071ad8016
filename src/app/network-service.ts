/**
 * Joining a network and syncing with it: the replication engine, the transports it runs over,
 * and the status the Network screen and reports show. The peer transport (WebRTC) is injected;
 * tabs of one device always sync over BroadcastChannel.
 */
import type { Clock } from '../lib/deps';
import { validateNetworkSettings } from '../domain/schemas/network-settings';
import type { CtcId, IsoDateTime } from '../domain/types';
import { appendAccess } from '../crdt/access-log';
import { docKind, networkDocId, patientDocId } from '../crdt/doc-id';
import { readFacilities } from '../crdt/network-doc';
import { readPatient } from '../crdt/patient-doc';
import type { DocumentStore } from '../crdt/ports';
import { localOrigin, type DocumentRepository } from '../crdt/repository';
// Named modules, not the '../sync' barrel: the engine is fetched only when replication starts.
import { plainChanges, signedChanges } from '../sync/change-format';
import { systemTimers } from '../sync/ports';
import type { ServedRequest, SyncEngine } from '../sync/engine';
import type { SyncLogger, Timers, Transport } from '../sync/ports';
import { err, ok } from '../lib/result';
import { createNetworkTrust } from './network-trust';
import { supervisorFacilityCode } from './views';
import { createScopeFollower } from './supervisor-scope';
import type { AppReplicaHost } from './replica-host';
import type { TrustService } from './trust-service';
import { clockWarningOf, createStorageWatch, refusalViewsOf } from './sync-health';
import type {
  DeviceProfile,
  FacilityView,
  NetworkService,
  NetworkSettings,
  NetworkView,
  PeerView,
  RecordRequestOutcome,
  SignalingState,
} from './views';

export const networkSettingsKey = 'network-settings';
export const syncEnabledKey = 'sync-enabled';
export const facilityLastReceivedKey = 'facility-last-received';

/** A transport to other devices (WebRTC in the browser) with the controls the app needs. */
export interface PeerTransport extends Transport {
  start(): Promise<void>;
  stop(): void;
  reconnect(): void;
  signalingState(): SignalingState;
  peerConnectionCount(): number;
  onChange(listener: () => void): () => void;
}

/** A transport between tabs of this device. */
export interface TabTransport extends Transport {
  start(): void;
  stop(): void;
}

export interface NetworkServiceDeps {
  repo: DocumentRepository;
  store: DocumentStore;
  host: AppReplicaHost;
  clock: Clock;
  logger: SyncLogger;
  defaultSignalingUrls: string[];
  createPeerTransport?: (
    settings: NetworkSettings,
    profile: DeviceProfile,
  ) => PeerTransport | undefined;
  createTabTransport?: (profile: DeviceProfile) => TabTransport | undefined;
  /** How long to wait for a record asked of the network. */
  requestTimeoutMs?: number;
  /** Injected so tests drive the full-disk retry (W11). */
  timers?: Timers;
  storageRetryMs?: number;
  /**
   * This device's membership (issue 8). With it, every session authenticates its peer and
   * peers sync only once this device has created or joined a network; without it (some unit
   * tests) sessions run unauthenticated.
   */
  trust?: TrustService;
  /** The app's address, which invite links point to. */
  appUrl?: () => string;
  /** An invite link the app was opened with, already removed from the address bar. */
  openedInvite?: string;
}

export interface NetworkController extends NetworkService {
  /** Start syncing as this device (after setup, or at start-up when set up before). */
  start(profile: DeviceProfile): Promise<void>;
  stop(): void;
  engine(): SyncEngine | undefined;
  /**
   * Tell the Network screen how a store write outside sync went (a clinical save): a quota
   * failure shows the device is full, a success that space is back (W11).
   */
  noteStorageWrite(error?: unknown): void;
}

/** How many refused updates the Network screen lists (W13). */
export const shownRefusals = 10;

const toIso = (ms: number | null | undefined): IsoDateTime | undefined =>
  ms === null || ms === undefined ? undefined : (new Date(ms).toISOString() as IsoDateTime);

export async function createNetworkService(deps: NetworkServiceDeps): Promise<NetworkController> {
  const { store, repo, clock } = deps;
  let settings = await store.getMeta<NetworkSettings>(networkSettingsKey);
  let syncEnabled = (await store.getMeta<boolean>(syncEnabledKey)) ?? true;
  const lastReceived: Record<string, number> =
    (await store.getMeta<Record<string, number>>(facilityLastReceivedKey)) ?? {};
  let profile: DeviceProfile | undefined;
  let engine: SyncEngine | undefined;
  let peer: { transport: PeerTransport; detach: () => void; off: () => void } | undefined;
  let tab: { transport: TabTransport; detach: () => void } | undefined;
  let facilityNames: Record<string, string> = {};
  const listeners = new Set<(view: NetworkView) => void>();
  let emitScheduled = false;
  let persistTimer: ReturnType<typeof setTimeout> | undefined;
  const storage = createStorageWatch({
    store,
    clock,
    timers: deps.timers ?? systemTimers,
    logger: deps.logger,
    onChange: () => scheduleEmit(),
    // Sessions that closed with host-error do not come back by themselves: reconnect, so
    // reconciliation offers again what could not be stored (W12).
    onRecovered: () => peer?.transport.reconnect(),
    ...(deps.storageRetryMs !== undefined ? { retryMs: deps.storageRetryMs } : {}),
  });
  const host = storage.wrap(deps.host);

  const refreshFacilityNames = async () => {
    const network = await repo.get(networkDocId);
    facilityNames = Object.fromEntries(readFacilities(network).map((f) => [f.code, f.name]));
  };
  repo.onUpdate((docId) => {
    if (docId === networkDocId) {
      void refreshFacilityNames().then(scheduleEmit);
    }
  });
  await refreshFacilityNames();

  function scheduleEmit() {
    if (emitScheduled) return;
    emitScheduled = true;
    queueMicrotask(() => {
      emitScheduled = false;
      const view = status();
      for (const listener of listeners) listener(view);
    });
  }

  /**
   * "Data as of" per facility: when data written at that facility last arrived here, by
   * whichever device carried it (a relay, a third facility). Kept in storage, so it survives
   * restarts and can be shown for facilities that are offline now.
   */
  function rememberReceived(authors: ReadonlySet<string>) {
    const at = clock.now();
    for (const facility of authors) lastReceived[facility] = at;
    if (persistTimer !== undefined) return;
    persistTimer = setTimeout(() => {
      persistTimer = undefined;
      store
        .setMeta(facilityLastReceivedKey, { ...lastReceived })
        .catch((error: unknown) =>
          deps.logger.log('warn', 'last-received-not-saved', { error: String(error) }),
        );
    }, 2_000);
    scheduleEmit();
  }
  repo.onUpdate((_docId, _update, origin, authors) => {
    if (origin !== localOrigin && authors.size > 0) rememberReceived(authors);
  });

  /** MS13: a device in no network, or revoked from it, has no peers to talk to. */
  const mayMeetPeers = () => {
    const kind = deps.trust?.state().kind;
    return kind === undefined || kind === 'member' || kind === 'joining';
  };

  /**
   * AL1: a record this device handed to another device is logged in the record itself. Tabs of
   * this device do not count; neither do registers or the network document.
   */
  async function recordAccess(served: ServedRequest): Promise<void> {
    if (docKind(served.docId) !== 'patient' || served.deviceId === profile?.deviceId) return;
    // A supervisor writes nothing (A21): its peers would refuse the log entry anyway.
    if (profile?.user.role === 'supervisor') return;
    try {
      await repo.write(served.docId, (doc) =>
        appendAccess(doc, {
          at: new Date(clock.now()).toISOString() as IsoDateTime,
          deviceId: served.deviceId,
          facility: served.facility,
          servedBy: profile?.deviceId ?? '',
          ...(served.user ? { user: served.user } : {}),
        }),
      );
    } catch (error) {
      deps.logger.log('warn', 'access-not-logged', { error: String(error) });
    }
  }

  function startTransports() {
    if (!engine || !profile || !syncEnabled) return;
    if (!tab && deps.createTabTransport) {
      const transport = deps.createTabTransport(profile);
      if (transport) {
        tab = { transport, detach: engine.addTransport(transport) };
        transport.start();
      }
    }
    if (!peer && settings && deps.createPeerTransport && mayMeetPeers()) {
      const transport = deps.createPeerTransport(settings, profile);
      if (transport) {
        peer = {
          transport,
          detach: engine.addTransport(transport),
          off: transport.onChange(scheduleEmit),
        };
        transport
          .start()
          .catch((error: unknown) =>
            deps.logger.log('warn', 'peer-transport-failed', { error: String(error) }),
          );
      }
    }
    scheduleEmit();
  }

  function stopPeer() {
    if (peer) {
      peer.off();
      peer.detach();
      peer.transport.stop();
      peer = undefined;
    }
  }

  function stopTransports() {
    stopPeer();
    if (tab) {
      tab.detach();
      tab.transport.stop();
      tab = undefined;
    }
    scheduleEmit();
  }

  function status(): NetworkView {
    const sync = engine?.status();
    const ownDevice = profile?.deviceId;
    const peers: PeerView[] = (sync?.peers ?? []).map((p) => {
      const view: PeerView = {
        deviceId: p.deviceId,
        facilityCode: p.facility,
        sameDevice: p.deviceId === ownDevice,
        relay: p.relay,
        connected: p.connected,
        pendingToSend: p.pendingToSend.length,
        behind: p.behind.length,
      };
      const name = facilityNames[p.facility];
      if (name) view.facilityName = name;
      const at = toIso(p.lastReceivedAt);
      if (at) view.lastReceivedAt = at;
      return view;
    });
    const byCode = new Map<string, FacilityView>();
    const known = new Set([...Object.keys(facilityNames), ...Object.keys(lastReceived)]);
    for (const code of known) {
      if (code === profile?.facility.code) continue;
      const view: FacilityView = {
        code,
        connected: false,
        devices: 0,
        pendingToSend: 0,
        behind: 0,
      };
      const name = facilityNames[code];
      if (name) view.name = name;
      const at = toIso(lastReceived[code]);
      if (at) view.lastReceivedAt = at;
      byCode.set(code, view);
    }
    for (const f of sync?.facilities ?? []) {
      if (f.facility === profile?.facility.code && f.devices.every((d) => d === ownDevice))
        continue;
      // A supervisor's hello names no facility of the network (MS15): it is a peer, not a facility.
      if (f.facility === supervisorFacilityCode || f.facility === '') continue;
      const view = byCode.get(f.facility) ?? {
        code: f.facility,
        connected: false,
        devices: 0,
        pendingToSend: 0,
        behind: 0,
      };
      view.connected = f.connected;
      view.devices = f.devices.filter((d) => d !== ownDevice).length;
      view.pendingToSend = f.pendingToSend;
      view.behind = f.behind;
      const at = toIso(lastReceived[f.facility]);
      if (at) view.lastReceivedAt = at;
      const name = facilityNames[f.facility];
      if (name) view.name = name;
      byCode.set(f.facility, view);
    }
    const view: NetworkView = {
      joined: settings !== undefined,
      syncEnabled,
      signaling: peer ? peer.transport.signalingState() : 'off',
      peerConnections: peer ? peer.transport.peerConnectionCount() : 0,
      peers: peers.filter((p) => !p.sameDevice || p.connected),
      facilities: [...byCode.values()].sort((a, b) =>
        (a.name ?? a.code).localeCompare(b.name ?? b.code),
      ),
      storageFull: storage.full(),
      refusals: refusalViewsOf(sync, facilityNames, shownRefusals),
      trust: { kind: 'none' },
    };
    if (settings) view.networkName = settings.networkName;
    view.trust = trustActions?.view() ?? { kind: 'none' };
    const clockWarning = clockWarningOf(sync?.peers ?? [], ownDevice);
    if (clockWarning) view.clockWarning = clockWarning;
    return view;
  }

  let openedInvite = deps.openedInvite;
  const trustActions = deps.trust
    ? createNetworkTrust({
        trust: deps.trust,
        repo,
        clock,
        profile: () => profile,
        settings: () => settings,
        saveSettings: (input) => controller.saveSettings(input),
        appUrl: deps.appUrl ?? (() => 'http://localhost/'),
      })
    : undefined;
  const scope = deps.trust
    ? createScopeFollower({
        repo,
        host,
        trust: deps.trust,
        engine: () => engine,
        logger: deps.logger,
        requestTimeoutMs: deps.requestTimeoutMs ?? 10_000,
      })
    : undefined;
  repo.onUpdate((docId) => {
    if (docId === networkDocId) scope?.follow();
  });
  // A22, MS11: a membership change re-checks every session and may start or end sync.
  let knownMembers = deps.trust?.history()?.members().size ?? 0;
  deps.trust?.onChange(() => {
    scope?.follow();
    engine?.membershipChanged();
    // MS17: a device refused a moment ago as unknown may be a member now: dial again.
    const members = deps.trust?.history()?.members().size ?? 0;
    if (members > knownMembers) peer?.transport.reconnect();
    knownMembers = members;
    if (mayMeetPeers()) startTransports();
    else stopPeer();
    scheduleEmit();
  });
  const notMember = () =>
    Promise.resolve(err({ type: 'refused' as const, code: 'not-a-member' as const }));

  const controller: NetworkController = {
    async start(next) {
      if (engine) return;
      profile = next;
      // The engine is its own chunk, fetched when replication starts (after the first screen).
      const [{ createSyncEngine }] = await Promise.all([import('../sync/engine'), host.init()]);
      if (engine) return;
      engine = createSyncEngine({
        host,
        deviceId: next.deviceId,
        facility: next.facility.code,
        logger: deps.logger,
        clock,
        ...(deps.trust ? { auth: deps.trust.syncAuth } : {}),
        // SC14: a repository that signs sends and takes only signed envelopes.
        changeFormat: repo.signs ? signedChanges : plainChanges,
        // AL1: the holder of a record we fetch logs who asked.
        user: () => profile?.user.name,
      });
      engine.onStatus(() => {
        scheduleEmit();
        scope?.follow();
      });
      engine.onServed((served) => void recordAccess(served));
      startTransports();
    },
    stop() {
      stopTransports();
      storage.stop();
      engine?.stop();
      engine = undefined;
    },
    engine: () => engine,
    noteStorageWrite: (error) => storage.noteWrite(error),
    settings: () => settings,
    defaultSignalingUrls: () => [...deps.defaultSignalingUrls],
    async saveSettings(input) {
      const result = validateNetworkSettings({ ...input });
      if (!result.ok) return err({ type: 'invalid', issues: result.error });
      try {
        await store.setMeta(networkSettingsKey, result.value);
      } catch {
        return err({ type: 'storage', code: 'write-failed' });
      }
      settings = result.value;
      // New settings mean a new network (or new servers): reconnect from scratch.
      stopPeer();
      startTransports();
      return ok(result.value);
    },
    async leave() {
      stopTransports();
      settings = undefined;
      await store.setMeta(networkSettingsKey, undefined);
      startTransports();
    },
    status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setSyncEnabled(enabled) {
      if (enabled === syncEnabled) return;
      syncEnabled = enabled;
      store
        .setMeta(syncEnabledKey, enabled)
        .catch((error: unknown) =>
          deps.logger.log('warn', 'sync-switch-not-saved', { error: String(error) }),
        );
      if (enabled) {
        startTransports();
        peer?.transport.reconnect();
      } else stopTransports();
    },
    async requestRecord(ctcId: CtcId): Promise<RecordRequestOutcome> {
      if (!engine) return 'not-joined';
      const docId = patientDocId(ctcId);
      const result = await engine.request(docId, {
        timeoutMs: deps.requestTimeoutMs ?? 10_000,
      });
      // L7: "arrived" only if the registration did. An answer with nothing in it (a peer that
      // holds the id and no record, or only visits recorded elsewhere) leaves the patient as
      // unknown here as before: no device had the record.
      if (result.ok) {
        return readPatient(await repo.get(docId)).demographics ? 'received' : 'not-found';
      }
      switch (result.error) {
        case 'not-found':
          return 'not-found';
        case 'no-peers':
          return settings ? 'no-peers' : 'not-joined';
        case 'timeout':
          return 'timeout';
        default:
          return 'no-peers';
      }
    },
    createNetwork: (input) => trustActions?.createNetwork(input) ?? notMember(),
    readInvite: (link) => trustActions?.readInvite(link) ?? err('not-an-invite'),
    openedInvite: () => openedInvite,
    setOpenedInvite(link) {
      openedInvite = link;
    },
    joinWithInvite: (link) => trustActions?.joinWithInvite(link) ?? notMember(),
    members: () => trustActions?.members() ?? [],
    nextFreeSlot: (code) => trustActions?.nextFreeSlot(code) ?? 1,
    createInvite: (input) => trustActions?.createInvite(input) ?? notMember(),
    revoke: (deviceId) => trustActions?.revoke(deviceId) ?? notMember(),
    grantAdmin: (deviceId, scope) => trustActions?.grantAdmin(deviceId, scope) ?? notMember(),
    withdrawAdmin: (deviceId) => trustActions?.withdrawAdmin(deviceId) ?? notMember(),
  };
  return controller;
}
