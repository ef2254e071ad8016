/**
 * A `SyncAuth` over the network's signed membership history (auth.md A15–A26 with
 * membership.md): who is enrolled, who is revoked, and the invite path — an enrolled device
 * admits a newcomer by adding its redemption to the history, a newcomer adopts the history it is
 * sent after checking it starts at the network its invite names.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { DeviceId } from '../../domain/types';
import { err, ok } from '../../lib/result';
import { MembershipHistory, type HistoryOptions } from '../../crdt/trust/membership-history';
import { decodeOp } from '../../crdt/trust/membership-op';
import type { Signer } from '../../crdt/trust/types';
import type { AuthRefusal } from './handshake';
import { mayReadByRole, type SyncAuth } from './session-auth';

/** A26: the history as sent to a newcomer: every op, creation first, each length-prefixed. */
export function encodeHistory(history: MembershipHistory): Uint8Array {
  const e = encoding.createEncoder();
  const ops = history.all();
  encoding.writeVarUint(e, ops.length);
  for (const op of ops) encoding.writeVarUint8Array(e, op.bytes);
  return encoding.toUint8Array(e);
}

function decodeHistory(bytes: Uint8Array): Uint8Array[] | undefined {
  try {
    const d = decoding.createDecoder(bytes);
    const count = decoding.readVarUint(d);
    if (count < 1 || count > 100_000) return undefined;
    const ops: Uint8Array[] = [];
    for (let i = 0; i < count; i++) ops.push(decoding.readVarUint8Array(d));
    return decoding.hasContent(d) ? undefined : ops;
  } catch {
    return undefined;
  }
}

export interface MembershipAuthOptions extends HistoryOptions {
  self: Signer & { readonly deviceId: DeviceId };
  /** The history, once this device has one (created, stored, or adopted after joining). */
  history?: MembershipHistory;
  /** A24: while not enrolled: the network the invite names and our signed redemption. */
  joining?: { networkId: string; redemption: Uint8Array };
  /** Told whenever the history changed (to store it, and to re-check sessions, A22). */
  onChange?(history: MembershipHistory): void;
}

export interface MembershipAuth extends SyncAuth {
  readonly history: MembershipHistory | undefined;
}

const refusal = (type: AuthRefusal['type'], detail: string) => err<AuthRefusal>({ type, detail });

export function createMembershipAuth(options: MembershipAuthOptions): MembershipAuth {
  let history = options.history;
  const districtOf = options.districtOf ?? (() => undefined);
  const enrolled = () => history?.lookup(options.self.deviceId) !== undefined;
  return {
    self: options.self,
    verifier: options.verifier,
    get history() {
      return history;
    },
    lookupMember: (id) => history?.lookup(id),
    isRevoked: (id) => history?.isRevoked(id) ?? false,
    mayRead: (member, docId) => mayReadByRole(member, docId, districtOf),
    enrolment: () => (enrolled() ? undefined : options.joining?.redemption),

    async admit(payload) {
      if (!history || !enrolled()) return refusal('unenrolled', 'not enrolled: admits nobody');
      const op = await decodeOp(payload);
      if (!op.ok || op.value.body.action.type !== 'redeem') {
        return refusal('bad-invite', op.ok ? 'not a redemption' : op.error);
      }
      // MS14: a redemption of an invite that is used up here is not even stored. Stored, it
      // would be concurrent with the redemption that used the invite (both name only the invite
      // as parent), and the fold's tie-break could then void the device already admitted.
      const left = history.inviteUsesLeft(op.value.body.action.inviteId);
      if (!history.tookEffect(op.value.id) && left !== undefined && left <= 0) {
        return refusal('bad-invite', 'the invite is used up');
      }
      const added = await history.add(payload);
      if (!added.ok) return refusal('bad-invite', `${added.error.type}: ${added.error.detail}`);
      if (!history.tookEffect(op.value.id)) {
        // Unknown, expired or used-up invite (MB14): kept in the history, admits nobody.
        return refusal('bad-invite', 'the invite is unknown here, expired or used up');
      }
      options.onChange?.(history);
      return ok(encodeHistory(history));
    },

    revocationNotice: () => (history ? encodeHistory(history) : undefined),

    async learn(payload) {
      const ops = decodeHistory(payload);
      if (!history || !ops) return;
      const outcomes = await history.addMany(ops);
      if (outcomes.some((o) => o.ok && o.value === 'added')) options.onChange?.(history);
    },

    async adopt(payload) {
      const joining = options.joining;
      const ops = decodeHistory(payload);
      if (!joining || !ops) return refusal('bad-membership', 'not a membership history');
      const adopted = await MembershipHistory.fromGenesis(ops[0] as Uint8Array, options);
      // I11, A26: the history must start at the network the invite names.
      if (!adopted.ok || adopted.value.networkId !== joining.networkId) {
        return refusal('bad-membership', 'the history is not of the network the invite names');
      }
      await adopted.value.addMany(ops.slice(1));
      if (!adopted.value.lookup(options.self.deviceId)) {
        return refusal('bad-membership', 'the history does not list this device');
      }
      history = adopted.value;
      options.onChange?.(history);
      return ok(undefined);
    },
  };
}
