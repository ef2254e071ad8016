/**
 * This device's place in its network's trust (issue 8; protocol.md §22): its key, the signed
 * membership history kept in the network document, and the `SyncAuth` every session checks
 * peers with. The engine is given `syncAuth` once; it reads the current membership on every
 * check, so creating or joining a network, an admission, or a revocation arriving from a peer
 * takes effect without restarting sync (MS7–MS11).
 */
import { readFacilities } from '../crdt/network-doc';
import { networkDocId } from '../crdt/doc-id';
import type { DocumentStore } from '../crdt/ports';
import { localOrigin, type DocumentRepository } from '../crdt/repository';
import {
  putMembershipOps,
  readMembershipOps,
  type MembershipCheckContext,
} from '../crdt/membership-store';
import { deviceIdFromPublicKey, type DeviceKey } from '../crdt/trust/device-key';
import { fromB64url, toB64url } from '../crdt/trust/encoding';
import type { Invite } from '../crdt/trust/invite-link';
import {
  createNetwork,
  MembershipHistory,
  type HistoryOptions,
  type MembershipRefusal,
} from '../crdt/trust/membership-history';
import {
  decodeOp,
  type Grant,
  type MembershipAction,
  type MembershipOp,
} from '../crdt/trust/membership-op';
import { redeemInvite } from '../crdt/trust/redemption';
import type { Member, Verifier } from '../crdt/trust/types';
import type { DeviceId } from '../domain/types';
import type { Clock } from '../lib/deps';
import { err, ok, type Result } from '../lib/result';
import type { SyncAuth, SyncLogger } from '../sync';
// The module itself, not the '../sync' barrel, which would bring the engine into the first screen.
import { createMembershipAuth, type MembershipAuth } from '../sync/auth/membership-auth';

export const membershipNetworkKey = 'membership-network';
export const membershipJoiningKey = 'membership-joining';

/** A join waiting for an enrolled peer to admit it (kept so a reload does not lose it). */
interface JoiningRecord {
  networkId: string;
  networkName: string;
  /** Our signed redemption, base64url. */
  redemption: string;
}

export type TrustState =
  | { kind: 'none' }
  | { kind: 'joining'; networkName: string }
  | { kind: 'member'; networkName: string; member: Member }
  | { kind: 'revoked'; networkName: string };

export type DeviceSigner = DeviceKey & { readonly deviceId: DeviceId };

export interface TrustService {
  readonly key: DeviceSigner;
  /** Given to the sync engine once; always answers from the current membership. */
  readonly syncAuth: SyncAuth;
  /** How the update policy verifies membership ops from peers (MS3–MS5). */
  membershipCheck(): MembershipCheckContext;
  /** Resolves once membership ops that arrived so far have joined the history (MS11). */
  settled(): Promise<void>;
  state(): TrustState;
  history(): MembershipHistory | undefined;
  /** MS7: this device creates a network and becomes its first member and admin. */
  createNetwork(name: string, grant: Grant): Promise<MembershipHistory>;
  /** MS8: signs a redemption of `invite`; an enrolled peer admits it when they meet. */
  join(invite: Invite): Promise<void>;
  /** MS10: an op of this device (an invite, a revocation), stored and sent to peers. */
  author(action: MembershipAction): Promise<Result<MembershipOp, MembershipRefusal>>;
  onChange(listener: () => void): () => void;
}

export interface TrustDeps {
  repo: DocumentRepository;
  store: DocumentStore;
  clock: Clock;
  key: DeviceKey;
  verifier: Verifier;
  logger: SyncLogger;
}

/** The stored history of `networkId`: its creation op, then every other stored op. */
async function loadHistory(
  ops: readonly Uint8Array[],
  networkId: string,
  options: HistoryOptions,
): Promise<MembershipHistory | undefined> {
  for (const bytes of ops) {
    const op = await decodeOp(bytes);
    if (!op.ok || op.value.id !== networkId) continue;
    const history = await MembershipHistory.fromGenesis(bytes, options);
    if (!history.ok) return undefined;
    await history.value.addMany(ops);
    return history.value;
  }
  return undefined;
}

export async function createTrustService(deps: TrustDeps): Promise<TrustService> {
  const { repo, store, clock, verifier, logger } = deps;
  const key: DeviceSigner = Object.assign(deps.key, {
    deviceId: await deviceIdFromPublicKey(deps.key.publicKey),
  });
  let districts = new Map<string, string>();
  const readDistricts = async () => {
    const network = await repo.get(networkDocId);
    districts = new Map(readFacilities(network).map((f) => [f.code, f.district]));
  };
  await readDistricts();
  const options: HistoryOptions = { verifier, districtOf: (code) => districts.get(code) };
  const listeners = new Set<() => void>();
  const emit = () => {
    for (const listener of listeners) listener();
  };

  const networkId = await store.getMeta<string>(membershipNetworkKey);
  let joining = await store.getMeta<JoiningRecord>(membershipJoiningKey);
  let history = networkId
    ? await loadHistory(readMembershipOps(await repo.get(networkDocId)), networkId, options)
    : undefined;
  let auth: MembershipAuth = buildAuth();

  function buildAuth(): MembershipAuth {
    const redemption = joining ? fromB64url(joining.redemption) : undefined;
    return createMembershipAuth({
      ...options,
      self: key,
      ...(history ? { history } : {}),
      ...(joining && redemption ? { joining: { networkId: joining.networkId, redemption } } : {}),
      onChange: (changed) => void adopted(changed),
    });
  }

  /** MS9: a history that changed in a session (an admission, our own adoption) is stored. */
  async function adopted(changed: MembershipHistory): Promise<void> {
    history = changed;
    await persist(changed);
    if (joining && changed.lookup(key.deviceId)) {
      joining = undefined;
      await store.setMeta(membershipJoiningKey, undefined);
    }
    emit();
  }

  async function persist(changed: MembershipHistory): Promise<void> {
    try {
      await repo.write(networkDocId, (doc) => putMembershipOps(doc, changed.all()));
      await store.setMeta(membershipNetworkKey, changed.networkId);
    } catch (error) {
      logger.log('warn', 'membership-not-stored', { error: String(error) });
    }
  }

  // MS11: ops that arrive in the network document join the history; members are re-checked.
  // Chained, so `settled` can wait for every one that has started.
  let taking: Promise<void> = Promise.resolve();
  repo.onUpdate((docId, _update, origin) => {
    if (docId !== networkDocId || origin === localOrigin) return;
    taking = taking.then(async () => {
      try {
        await readDistricts();
        const current = history;
        if (!current) return;
        const outcomes = await current.addMany(readMembershipOps(await repo.get(networkDocId)));
        if (outcomes.some((o) => o.ok && o.value === 'added')) emit();
      } catch (error) {
        logger.log('warn', 'membership-not-read', { error: String(error) });
      }
    });
  });

  const syncAuth: SyncAuth = {
    self: key,
    verifier,
    lookupMember: (id) => auth.lookupMember(id),
    isRevoked: (id) => auth.isRevoked(id),
    mayRead: (member, docId) => auth.mayRead(member, docId),
    enrolment: () => auth.enrolment?.(),
    admit: (payload) => auth.admit!(payload),
    adopt: (payload) => auth.adopt!(payload),
    revocationNotice: () => auth.revocationNotice?.(),
    learn: (payload) => auth.learn?.(payload) ?? Promise.resolve(),
  };

  return {
    key,
    syncAuth,
    membershipCheck: () => ({
      verifier,
      ...(history ? { networkId: history.networkId } : {}),
      learn: async (ops) => {
        const current = history;
        if (!current) return;
        const outcomes = await current.addMany(ops);
        if (outcomes.some((o) => o.ok && o.value === 'added')) emit();
      },
    }),
    settled: () => taking,
    state() {
      const name = history?.networkName ?? joining?.networkName ?? '';
      if (history?.isRevoked(key.deviceId)) return { kind: 'revoked', networkName: name };
      const member = history?.lookup(key.deviceId);
      if (member) return { kind: 'member', networkName: name, member };
      if (joining) return { kind: 'joining', networkName: joining.networkName };
      return { kind: 'none' };
    },
    history: () => history,
    async createNetwork(name, grant) {
      const created = await createNetwork(key, name, grant, clock.now(), options);
      history = created;
      joining = undefined;
      await store.setMeta(membershipJoiningKey, undefined);
      await persist(created);
      auth = buildAuth();
      emit();
      return created;
    },
    async join(invite) {
      const redemption = await redeemInvite(key, {
        networkId: invite.network.networkId,
        inviteOpId: invite.inviteOpId,
        secret: invite.secret,
        at: clock.now(),
      });
      joining = {
        networkId: invite.network.networkId,
        networkName: invite.network.networkName,
        redemption: toB64url(redemption.bytes),
      };
      await store.setMeta(membershipJoiningKey, joining);
      history = undefined;
      auth = buildAuth();
      emit();
    },
    async author(action) {
      const current = history;
      if (!current) return err({ type: 'wrong-network', detail: 'this device is in no network' });
      const op = await current.author(key, action, clock.now());
      if (!op.ok) return op;
      await persist(current);
      emit();
      return ok(op.value);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
