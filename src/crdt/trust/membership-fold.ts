/**
 * The fold of a membership history into members (membership.md MB9–MB17): a pure function of
 * the ops in their deterministic order, so every replica holding the same ops computes the same
 * members. Kept apart from the history's bookkeeping (arrival, pending ops, heads).
 */
import type { DeviceId } from '../../domain/types';
import type { Grant, MembershipOp } from './membership-op';
import type { AdminScope, Member } from './types';

export interface Folded {
  members: Map<DeviceId, Member>;
  admins: Map<DeviceId, AdminScope>;
  revokedBy: Map<DeviceId, string>;
  /** Ops that took effect, for inspection and tests. */
  applied: Set<string>;
  /** MB14: uses left of each known invite (expiry aside). */
  invitesLeft: Map<string, number>;
}

export interface FoldInput {
  /** Every op, parents first (MB9). */
  order: readonly MembershipOp[];
  networkId: string;
  /** Every op an op causally follows. */
  ancestors(id: string): ReadonlySet<string>;
  districtOf?: (facility: string) => string | undefined;
}

/**
 * MB15–MB17: a valid revocation of X voids every op X signed that is not its ancestor (so
 * concurrent or later ones), and a withdrawal of X's admin rights voids X's admin ops that are
 * not its ancestor. Voiding can invalidate a revocation in turn, so the fold is repeated until
 * the voided set is stable (bounded; the result is a function of the op set either way).
 */
export function foldHistory(input: FoldInput): Folded {
  let voided = new Set<string>();
  let result = foldOnce(input, voided);
  for (let round = 0; round < 16; round++) {
    const next = voidedBy(input, result);
    if (sameSet(next, voided)) break;
    voided = next;
    result = foldOnce(input, voided);
  }
  return result;
}

function voidedBy(input: FoldInput, state: Folded): Set<string> {
  const voided = new Set<string>();
  for (const op of input.order) {
    if (!state.applied.has(op.id)) continue;
    const action = op.body.action;
    if (action.type !== 'revoke' && action.type !== 'withdraw-admin') continue;
    const before = input.ancestors(op.id);
    for (const other of input.order) {
      if (other.body.signer.deviceId !== action.deviceId || before.has(other.id)) continue;
      if (other.id === op.id) continue;
      if (action.type === 'revoke' || needsAdmin(other)) voided.add(other.id);
    }
  }
  return voided;
}

function foldOnce(input: FoldInput, voided: ReadonlySet<string>): Folded {
  const state: Folded = {
    members: new Map(),
    admins: new Map(),
    revokedBy: new Map(),
    applied: new Set(),
    invitesLeft: new Map(),
  };
  const invitesUsed = new Map<string, number>();
  const invites = new Map<
    string,
    { opId: string; grant: Grant; expiresAt: number; uses: number; key: string }
  >();
  for (const op of input.order) {
    if (voided.has(op.id)) continue;
    const { signer, action, at } = op.body;
    const by = signer.deviceId;
    const active = state.members.has(by) && !state.revokedBy.has(by);
    let applied = false;
    switch (action.type) {
      case 'create':
        if (op.id !== input.networkId) break;
        state.members.set(by, memberOf(signer, action.grant, { kind: 'network' }));
        state.admins.set(by, { kind: 'network' });
        applied = true;
        break;
      case 'enrol':
        if (!active || !covers(input, state.admins.get(by), action.grant)) break;
        if (state.members.has(action.device.deviceId)) break; // MB11: first enrolment stands
        state.members.set(action.device.deviceId, memberOf(action.device, action.grant));
        applied = true;
        break;
      case 'invite':
        if (
          !active ||
          !covers(input, state.admins.get(by), action.grant) ||
          invites.has(action.inviteId)
        )
          break;
        invites.set(action.inviteId, {
          opId: op.id,
          grant: action.grant,
          expiresAt: action.expiresAt,
          uses: action.uses,
          key: action.invitePublicKey,
        });
        applied = true;
        break;
      case 'redeem': {
        const invite = invites.get(action.inviteId);
        const used = invitesUsed.get(action.inviteId) ?? 0;
        // MB14: the invite exists in the redeemer's past, is the key it proved with, is
        // unexpired at the redemption's time and has uses left.
        if (!invite || invite.key !== action.invitePublicKey || at >= invite.expiresAt) break;
        if (used >= invite.uses || state.members.has(by)) break;
        if (!input.ancestors(op.id).has(invite.opId)) break;
        invitesUsed.set(action.inviteId, used + 1);
        state.members.set(by, memberOf(signer, invite.grant));
        applied = true;
        break;
      }
      case 'revoke': {
        const target = state.members.get(action.deviceId);
        if (!active || !target || !covers(input, state.admins.get(by), target)) break;
        if (state.revokedBy.has(action.deviceId)) break;
        state.revokedBy.set(action.deviceId, op.id);
        state.admins.delete(action.deviceId);
        applied = true;
        break;
      }
      case 'grant-admin': {
        const target = state.members.get(action.deviceId);
        const scope = state.admins.get(by);
        if (!active || !target || state.revokedBy.has(action.deviceId) || !scope) break;
        if (
          scope.kind !== 'network' &&
          !(action.scope.kind === 'district' && action.scope.district === scope.district)
        )
          break;
        state.admins.set(action.deviceId, action.scope);
        applied = true;
        break;
      }
      case 'withdraw-admin':
        if (
          !active ||
          state.admins.get(by)?.kind !== 'network' ||
          !state.admins.has(action.deviceId)
        )
          break;
        state.admins.delete(action.deviceId);
        applied = true;
        break;
    }
    if (applied) state.applied.add(op.id);
  }
  for (const [id, invite] of invites) {
    state.invitesLeft.set(id, invite.uses - (invitesUsed.get(id) ?? 0));
  }
  for (const [id, member] of state.members) {
    const admin = state.admins.get(id);
    const revokedBy = state.revokedBy.get(id);
    state.members.set(id, {
      ...member,
      ...(admin ? { admin } : {}),
      ...(revokedBy ? { revokedBy } : {}),
    });
  }
  return state;
}

/** MB12: a network admin covers everything; a district admin its district's facilities. */
function covers(input: FoldInput, scope: AdminScope | undefined, target: Grant): boolean {
  if (!scope) return false;
  if (scope.kind === 'network') return true;
  if (target.facilityCode) return input.districtOf?.(target.facilityCode) === scope.district;
  return target.readScope?.kind === 'district' && target.readScope.district === scope.district;
}

function needsAdmin(op: MembershipOp): boolean {
  const type = op.body.action.type;
  return type !== 'redeem' && type !== 'create';
}

function memberOf(
  device: { deviceId: DeviceId; publicKey: Member['publicKey']; algorithm: Member['algorithm'] },
  grant: Grant,
  admin?: AdminScope,
): Member {
  return {
    deviceId: device.deviceId,
    publicKey: device.publicKey,
    algorithm: device.algorithm,
    role: grant.role,
    ...(grant.facilityCode ? { facilityCode: grant.facilityCode } : {}),
    ...(grant.slot !== undefined ? { slot: grant.slot } : {}),
    ...(grant.readScope ? { readScope: grant.readScope } : {}),
    ...(admin ? { admin } : {}),
  };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
