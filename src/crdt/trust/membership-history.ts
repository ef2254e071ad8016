/**
 * A network's membership history (membership.md MB7–MB20): the set of verified operations, and
 * the members it implies. Every replica with the same set of operations computes the same
 * members, whatever order they arrived in: the fold runs over a deterministic topological order
 * (parents first, ties by op id), and the rules that look across concurrent branches
 * (revocation wins, withdrawn admin rights) are fixed points over that order.
 */
import type { DeviceId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import {
  signOp,
  type MembershipAction,
  decodeOp,
  verifyOp,
  type Grant,
  type MembershipOp,
  type OpRefusalType,
} from './membership-op';
import { foldHistory, type Folded } from './membership-fold';
import type { AdminScope, Member, Signer, Verifier } from './types';

/** MB7: the first op of a network: its creator becomes a member and its first admin. */
export async function createNetwork(
  signer: Signer & { deviceId: DeviceId },
  name: string,
  grant: Grant,
  at: number,
  options: HistoryOptions,
): Promise<MembershipHistory> {
  const genesis = await signOp(signer, {
    network: '',
    parents: [],
    at,
    action: { type: 'create', name, grant },
  });
  const history = await MembershipHistory.fromGenesis(genesis.bytes, options);
  if (!history.ok) throw new Error(`own creation op refused: ${history.error.detail}`);
  return history.value;
}

export type MembershipRefusalType = OpRefusalType | 'wrong-network' | 'too-many-pending';
export interface MembershipRefusal {
  type: MembershipRefusalType;
  detail: string;
}
export type AddOutcome = 'added' | 'known' | 'pending';

/** MB8: ops whose parents have not arrived yet are kept, at most this many. */
export const MAX_PENDING_OPS = 1000;

export interface HistoryOptions {
  verifier: Verifier;
  /** MB12: the district a facility is in, for district admins and supervisors. */
  districtOf?: (facility: string) => string | undefined;
}

export class MembershipHistory {
  private readonly ops = new Map<string, MembershipOp>();
  private readonly pending = new Map<string, MembershipOp>();
  private order: MembershipOp[] = [];
  private folded: Folded;
  private readonly ancestorCache = new Map<string, Set<string>>();

  private constructor(
    readonly genesis: MembershipOp,
    private readonly options: HistoryOptions,
  ) {
    this.ops.set(genesis.id, genesis);
    this.order = [genesis];
    this.folded = this.fold();
  }

  /** MB7: a history starts from a verified creation op; its id is the network's id. */
  static async fromGenesis(
    bytes: Uint8Array,
    options: HistoryOptions,
  ): Promise<Result<MembershipHistory, MembershipRefusal>> {
    const op = await decodeOp(bytes);
    if (!op.ok) return err({ type: 'malformed', detail: op.error });
    if (op.value.body.action.type !== 'create')
      return err({ type: 'wrong-network', detail: 'not a creation' });
    const verified = await verifyOp(op.value, options.verifier);
    if (!verified.ok) return err(verified.error);
    return ok(new MembershipHistory(op.value, options));
  }

  get networkId(): string {
    return this.genesis.id;
  }

  get networkName(): string {
    const action = this.genesis.body.action;
    return action.type === 'create' ? action.name : '';
  }

  /** MB8: adds one op from anywhere (a peer, storage, this device). Never throws on input. */
  async add(bytes: Uint8Array): Promise<Result<AddOutcome, MembershipRefusal>> {
    return (await this.addMany([bytes]))[0] as Result<AddOutcome, MembershipRefusal>;
  }

  /**
   * MB8: adds many ops (a history received whole, or read from storage), folding once at the
   * end rather than once per op. One outcome per op, in the order given.
   */
  async addMany(list: readonly Uint8Array[]): Promise<Result<AddOutcome, MembershipRefusal>[]> {
    const outcomes: Result<AddOutcome, MembershipRefusal>[] = [];
    for (const bytes of list) outcomes.push(await this.admit(bytes));
    if (outcomes.some((o) => o.ok && o.value === 'added')) this.recompute();
    return outcomes;
  }

  /** Checks one op and files it as present or pending; the caller folds afterwards. */
  private async admit(bytes: Uint8Array): Promise<Result<AddOutcome, MembershipRefusal>> {
    const decoded = await decodeOp(bytes);
    if (!decoded.ok) return err({ type: 'malformed', detail: decoded.error });
    const op = decoded.value;
    if (this.ops.has(op.id) || this.pending.has(op.id)) return ok('known');
    if (op.body.network !== this.networkId) {
      return err({ type: 'wrong-network', detail: `op ${op.id} is of another network` });
    }
    const verified = await verifyOp(op, this.options.verifier);
    if (!verified.ok) return err(verified.error);
    if (op.body.parents.some((p) => !this.ops.has(p))) {
      if (this.pending.size >= MAX_PENDING_OPS) {
        return err({ type: 'too-many-pending', detail: 'too many ops wait for their parents' });
      }
      this.pending.set(op.id, op);
      return ok('pending');
    }
    this.ops.set(op.id, op);
    this.adoptPending();
    return ok('added');
  }

  /** Pending ops whose parents are now all present join, until none more can. */
  private adoptPending(): void {
    let moved = true;
    while (moved) {
      moved = false;
      for (const [id, op] of this.pending) {
        if (op.body.parents.every((p) => this.ops.has(p))) {
          this.pending.delete(id);
          this.ops.set(id, op);
          moved = true;
        }
      }
    }
  }

  private recompute(): void {
    this.order = this.topologicalOrder();
    this.folded = this.fold();
  }

  /** MB9: parents before children; among ops ready at once, the smallest id first. */
  private topologicalOrder(): MembershipOp[] {
    const children = new Map<string, string[]>();
    const waiting = new Map<string, number>();
    for (const op of this.ops.values()) {
      waiting.set(op.id, op.body.parents.length);
      for (const p of op.body.parents) {
        const list = children.get(p);
        if (list) list.push(op.id);
        else children.set(p, [op.id]);
      }
    }
    const ready = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
    const out: MembershipOp[] = [];
    while (ready.length > 0) {
      ready.sort();
      const id = ready.shift() as string;
      out.push(this.ops.get(id) as MembershipOp);
      for (const child of children.get(id) ?? []) {
        const left = (waiting.get(child) as number) - 1;
        waiting.set(child, left);
        if (left === 0) ready.push(child);
      }
    }
    return out;
  }

  /** Every op an op causally follows (its parents, theirs, …). */
  private ancestors(id: string): Set<string> {
    const cached = this.ancestorCache.get(id);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...(this.ops.get(id)?.body.parents ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.ops.get(next)?.body.parents ?? []));
    }
    this.ancestorCache.set(id, seen);
    return seen;
  }

  private fold(): Folded {
    return foldHistory({
      order: this.order,
      networkId: this.networkId,
      ancestors: (id) => this.ancestors(id),
      ...(this.options.districtOf ? { districtOf: this.options.districtOf } : {}),
    });
  }

  members(): ReadonlyMap<DeviceId, Member> {
    return this.folded.members;
  }

  lookup(deviceId: string): Member | undefined {
    return this.folded.members.get(deviceId as DeviceId);
  }

  isRevoked(deviceId: string): boolean {
    return this.folded.revokedBy.has(deviceId as DeviceId);
  }

  isAdmin(deviceId: string): AdminScope | undefined {
    return this.isRevoked(deviceId) ? undefined : this.folded.admins.get(deviceId as DeviceId);
  }

  /** MB14: how many more devices an invite admits (undefined for an invite not in the history). */
  inviteUsesLeft(inviteId: string): number | undefined {
    return this.folded.invitesLeft.get(inviteId);
  }

  /** Whether an op took effect (false for one voided or without authority). */
  tookEffect(opId: string): boolean {
    return this.folded.applied.has(opId);
  }

  /** MB10: ops nothing else names as a parent; a new op names them all. */
  heads(): string[] {
    const named = new Set<string>();
    for (const op of this.ops.values()) for (const p of op.body.parents) named.add(p);
    return [...this.ops.keys()].filter((id) => !named.has(id)).sort();
  }

  /** Every op in fold order (creation first): what a newcomer is sent, what storage keeps. */
  all(): readonly MembershipOp[] {
    return this.order;
  }

  /** MB10: signs an op of this device over the current heads and adds it. */
  async author(
    signer: Signer & { deviceId: DeviceId },
    action: MembershipAction,
    at: number,
  ): Promise<Result<MembershipOp, MembershipRefusal>> {
    const op = await signOp(signer, { network: this.networkId, parents: this.heads(), at, action });
    const added = await this.add(op.bytes);
    return added.ok ? ok(op) : err(added.error);
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
