/**
 * Who may write what (issue 8 points 5 and 6), checked on every change from a peer before it is
 * stored, applied or forwarded: the envelope's signature by its author's enrolled key (SC6–SC12),
 * then the role rule table (write-rules.ts, WR1–WR26) over the places the change writes. The
 * content policy (check-update.ts) still decides what any change may contain.
 */
import type * as Y from 'yjs';
import type { DeviceId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import { docKind, type DocId } from '../doc-id';
import type { StoredChange } from '../ports';
import {
  decodeSignedChange,
  verifySignedChange,
  type ChangeRefusal,
  type SignedChange,
  type VerifiedChange,
} from '../trust/signed-change';
import type { Member, Verifier } from '../trust/types';
import { checkWrite, docFacilityOf, entryStampsOf, touchesOf } from '../trust/write-rules';
import { RefusalReason, type UpdateRefusal } from './refusal';

export interface ChangeTrustDeps {
  verifier: Verifier;
  /** This device, as it signs: its own changes (written by another tab) verify by its own key. */
  self(): Pick<Member, 'deviceId' | 'publicKey' | 'algorithm'>;
  /**
   * The member the current membership history names, revoked ones included (`revokedBy`). May
   * wait for the history to take in membership ops that just arrived (a newcomer admitted by
   * another member, whose changes follow its admission).
   */
  member(deviceId: DeviceId): Member | undefined | Promise<Member | undefined>;
  /** WR8: the users the network lists at a facility; without it, stamps' users are not checked. */
  facilityUsers?(facility: string): Promise<ReadonlySet<string>>;
}

const refused = (reason: RefusalReason, detail: string) => err<UpdateRefusal>({ reason, detail });

const changeReasons = {
  'bad-signature': RefusalReason.badSignature,
  'unknown-author': RefusalReason.unknownAuthor,
  'foreign-client': RefusalReason.foreignClient,
  malformed: RefusalReason.malformedChange,
} as const;

type Verdict = Promise<Result<VerifiedChange, ChangeRefusal>>;

export interface ChangeTrust {
  /** SC6, WR1–WR26 for one change, against the document as it is now. Never throws. */
  check(
    docId: DocId,
    live: Y.Doc,
    update: Uint8Array,
    change: StoredChange | undefined,
  ): Promise<Result<void, UpdateRefusal>>;
  /**
   * SC23: starts verifying the signatures of a batch at once. They do not depend on each other
   * (only the write rules need the document as the earlier changes left it), so a catch-up of
   * many changes waits for the slowest signature, not for the sum of them.
   */
  prepare(changes: readonly (StoredChange | undefined)[]): void;
}

/** Verifications started by `prepare` and not yet taken; bounded, so a flood costs nothing. */
const maxPrepared = 4_096;

export function createChangeTrust(deps: ChangeTrustDeps): ChangeTrust {
  const prepared = new Map<string, Verdict>();
  const signerOf = async (author: DeviceId) => {
    const self = deps.self();
    if (author === self.deviceId) return { ...self, role: 'clinician' as const };
    return deps.member(author);
  };
  const verify = async (signed: SignedChange): Verdict =>
    verifySignedChange(signed, await signerOf(signed.author), deps.verifier);
  return {
    prepare(changes) {
      for (const change of changes) {
        if (!change || prepared.has(change.id) || prepared.size >= maxPrepared) continue;
        const decoded = decodeSignedChange(change.bytes);
        if (decoded.ok) prepared.set(change.id, verify(decoded.value));
      }
    },
    async check(docId, live, update, change) {
      const started = change ? prepared.get(change.id) : undefined;
      if (change) prepared.delete(change.id);
      // An author unknown when the change arrived may be known by now (its admission came first).
      const early = started?.then((verdict) =>
        !verdict.ok && verdict.error.reason === 'unknown-author' ? undefined : verdict,
      );
      return checkChangeTrust(docId, live, update, change, deps, early);
    },
  };
}

/**
 * SC6: the change `update` came in, verified against its author's key, and (for another
 * device's change) the write rules. Never throws.
 */
export async function checkChangeTrust(
  docId: DocId,
  live: Y.Doc,
  update: Uint8Array,
  change: StoredChange | undefined,
  deps: ChangeTrustDeps,
  /** The signature's verdict when `prepare` already started it (for this very change). */
  early?: Promise<Result<VerifiedChange, ChangeRefusal> | undefined>,
): Promise<Result<void, UpdateRefusal>> {
  if (!change) return refused(RefusalReason.unsigned, `${docId}: no signed envelope`);
  const decoded = decodeSignedChange(change.bytes);
  if (!decoded.ok) return refused(RefusalReason.malformedChange, decoded.error.detail);
  const signed = decoded.value;
  if (signed.docId !== docId) {
    return refused(RefusalReason.malformedChange, `a change of ${signed.docId} sent as ${docId}`);
  }
  if (!equalBytes(signed.update, update)) {
    return refused(RefusalReason.malformedChange, 'the update is not the one signed');
  }
  const self = deps.self();
  const own = signed.author === self.deviceId;
  const signer = own ? undefined : await deps.member(signed.author);
  const key = own ? { ...self, role: 'clinician' as const } : signer;
  const verified = (await early) ?? (await verifySignedChange(signed, key, deps.verifier));
  if (!verified.ok) {
    return refused(changeReasons[verified.error.reason], verified.error.detail);
  }
  // This device's own changes (another tab stored them) are its own to make.
  if (own) return ok(undefined);
  const touches = touchesOf(docId, live, update);
  if (!touches.ok) return refused(RefusalReason.unresolvable, touches.error.detail);
  const facility = docFacilityOf(docId);
  const users =
    deps.facilityUsers && signer?.facilityCode
      ? await deps.facilityUsers(signer.facilityCode)
      : undefined;
  const verdict = checkWrite({
    signer,
    // WR3: a revoked device's changes are refused from the moment this device knows of the
    // revocation; those already held stay (a stolen device can backdate anything it signs).
    revoked: signer?.revokedBy !== undefined,
    docKind: docKind(docId),
    ...(facility ? { docFacility: facility } : {}),
    touches: touches.value,
    entryStamps: entryStampsOf(touches.value),
    ...(users ? { facilityUsers: users } : {}),
  });
  if (!verdict.ok) {
    const { rule, reason, detail } = verdict.error;
    return refused(RefusalReason.writeRule, `${rule} ${reason}: ${detail}`);
  }
  return ok(undefined);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
