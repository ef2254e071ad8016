/**
 * The repository as the app runs it (issue 8 point 5): every change it makes is signed by the
 * device key (SC1) under one of the key's own client ids (SC13), and every change from a peer
 * passes the update policy, then its signature and the role rule table (SC6, WR1–WR26), before
 * anything is stored. The composition root and the app-stack tests both build it here.
 */
import type * as Y from 'yjs';
import { networkDocId } from '../crdt/doc-id';
import type { MembershipCheckContext } from '../crdt/membership-store';
import type { ChangeTrustDeps } from '../crdt/policy/change-trust';
import type { RemoteUpdateCheck } from '../crdt/policy/refusal';
import type { RemoteCheckDeps } from '../crdt/policy/remote-check';
import type { DocumentStore } from '../crdt/ports';
import { DocumentRepository, type RepositoryOptions } from '../crdt/repository';
import { createChangeCoalescer, createChangeSigner } from '../crdt/trust/change-signer';
import type { DeviceKey } from '../crdt/trust/device-key';
import type { Member, Verifier } from '../crdt/trust/types';
import type { DeviceId } from '../domain/types';
import type { Clock } from '../lib/deps';
import { profileKey, serialCounterKey } from './clinic-service';
import type { TrustService } from './trust-service';
import type { DeviceProfile } from './views';

/** The update policy over this device's storage: its network document, profile and counter. */
export function appUpdatePolicy(
  store: DocumentStore,
  repo: () => DocumentRepository,
  membership?: () => MembershipCheckContext,
  changes?: ChangeTrustDeps,
): RemoteUpdateCheck {
  const deps: RemoteCheckDeps = {
    ...(membership ? { membership } : {}),
    ...(changes ? { changes } : {}),
    networkDoc: () => repo().getUnsettled(networkDocId),
    device: async () => {
      const saved = await store.getMeta<DeviceProfile>(profileKey);
      return saved ? { facility: saved.facility.code, slot: saved.deviceSlot } : undefined;
    },
    serialCounter: async () => {
      const counter = await store.getMeta<number>(serialCounterKey);
      return typeof counter === 'number' ? counter : undefined;
    },
  };
  // The policy's code (content rules, write rules, report shapes) is fetched with the first
  // peer's update, not with the first screen, which never needs it (150 KB budget, issue 9).
  let loaded: RemoteUpdateCheck | undefined;
  let loading: Promise<RemoteUpdateCheck> | undefined;
  const load = () =>
    (loading ??= import('../crdt/policy/remote-check').then(
      ({ createRemoteUpdateCheck }) => (loaded = createRemoteUpdateCheck(deps)),
    ));
  const check: RemoteUpdateCheck = async (docId, live, update, change) =>
    (loaded ?? (await load()))(docId, live, update, change);
  // SC23's early start is only an optimisation: before the code is here it just fetches it.
  check.prepare = (changes) => {
    if (loaded) loaded.prepare?.(changes);
    else void load();
  };
  return check;
}

export interface AppRepositoryDeps {
  store: DocumentStore;
  clock: Clock;
  key: DeviceKey;
  deviceId: DeviceId;
  verifier: Verifier;
  /** The trust service, once it has loaded (it needs the repository first). */
  trust: () => TrustService | undefined;
  /** One of the key's own client ids, leased for this tab (client-id-lease.ts). */
  clientId: number;
  options?: Pick<
    RepositoryOptions,
    'cacheLimit' | 'cacheBytes' | 'compactAfter' | 'compactPatientsAfter'
  >;
}

/** The member a change's author is, as the current history says; revoked ones say so (WR3). */
function memberOf(trust: TrustService | undefined, deviceId: DeviceId): Member | undefined {
  const history = trust?.history();
  const member = history?.lookup(deviceId);
  if (!history || !member) return undefined;
  if (member.revokedBy === undefined && history.isRevoked(deviceId)) {
    return { ...member, revokedBy: 'revoked' };
  }
  return member;
}

/** WR8: ids of the users the network document lists at `facility`. */
function usersAt(network: Y.Doc, facility: string): Set<string> {
  const ids = new Set<string>();
  for (const [id, user] of network.getMap<unknown>('users')) {
    if ((user as { facilityCode?: unknown } | null)?.facilityCode === facility) ids.add(id);
  }
  return ids;
}

export function createAppRepository(deps: AppRepositoryDeps): DocumentRepository {
  const { store, key, verifier } = deps;
  const checkRemote = appUpdatePolicy(
    store,
    () => repo,
    // Until the trust service has loaded, no membership op from a peer is taken.
    () => deps.trust()?.membershipCheck() ?? { verifier, networkId: '-' },
    {
      verifier,
      self: () => ({ deviceId: deps.deviceId, publicKey: key.publicKey, algorithm: key.algorithm }),
      member: async (deviceId) => {
        const known = memberOf(deps.trust(), deviceId);
        if (known) return known;
        // Membership ops that just arrived may still be joining the history (MS11).
        await deps.trust()?.settled();
        return memberOf(deps.trust(), deviceId);
      },
      facilityUsers: async (facility) => usersAt(await repo.getUnsettled(networkDocId), facility),
    },
  );
  const repo: DocumentRepository = new DocumentRepository({
    ...deps.options,
    store,
    clock: deps.clock,
    checkRemote,
    clientId: deps.clientId,
    signChange: createChangeSigner(key, deps.deviceId),
    // ST1: at compaction its own consecutive changes become one signed change (decision 0023).
    coalesceChanges: createChangeCoalescer(key, deps.deviceId),
  });
  return repo;
}
