/**
 * What a session needs to authenticate its peer and to apply roles to what it sends and accepts
 * (issue 8 points 4, 6, 7; docs/protocol-drafts/auth.md A15–A24). The engine is given one
 * `SyncAuth`; the membership behind it may change at any time (a revocation arrives), so every
 * check reads it afresh.
 */
import { docKind, facilityOfRegisterDoc, facilityOfReportDoc, type DocId } from '../../crdt/doc-id';
import type { Member, Signer, Verifier } from '../../crdt/trust/types';
import type { Result } from '../../lib/result';
import type { AuthRefusal } from './handshake';

export interface SyncAuth {
  /** This device's key, and the id it is enrolled under. */
  self: Signer & { readonly deviceId: string };
  verifier: Verifier;
  lookupMember(deviceId: string): Member | undefined;
  isRevoked(deviceId: string): boolean;
  isExpired?(member: Member): boolean;
  /** A20: whether `member` may receive `docId` (the app uses `mayReadByRole`). */
  mayRead(member: Member, docId: DocId): boolean;
  /**
   * A24: a device that is not enrolled yet presents this (its invite redemption) before its
   * challenge; undefined once it is enrolled.
   */
  enrolment?(): Uint8Array | undefined;
  /**
   * A25: an enrolled device checks a newcomer's enrolment and, if the membership accepts it,
   * adds it; `ok` carries the membership history to send back.
   */
  admit?(payload: Uint8Array): Promise<Result<Uint8Array, AuthRefusal>>;
  /** A26: the newcomer checks the history it was sent back to the network's root and adopts it. */
  adopt?(payload: Uint8Array): Promise<Result<void, AuthRefusal>>;
  /** A27: what a revoked peer is sent before its session closes (the signed history). */
  revocationNotice?(): Uint8Array | undefined;
  /** A27: ops of our own network a peer sent outside the join flow; each one is verified. */
  learn?(payload: Uint8Array): Promise<void>;
}

/** The facility a document belongs to: its register's facility, a patient's issuing facility. */
export function facilityOfDoc(docId: DocId): string | undefined {
  switch (docKind(docId)) {
    case 'network':
      return undefined;
    case 'register':
      return facilityOfRegisterDoc(docId);
    case 'report':
      // A district supervisor reads its district's reports, as its registers (A20).
      return facilityOfReportDoc(docId);
    case 'patient':
      // A CTC ID starts with the 8-digit code of the facility that registered the patient.
      return docId.slice('patient:'.length, 'patient:'.length + 8);
  }
}

/**
 * A20: clinicians and relays read every document (a clinician must find and open a patient of
 * any facility: the mission); a supervisor reads the network document and, when its scope is a
 * district, only the registers and records of that district's facilities.
 */
export function mayReadByRole(
  member: Member,
  docId: DocId,
  districtOf: (facility: string) => string | undefined,
): boolean {
  if (member.revokedBy !== undefined) return false;
  if (member.role !== 'supervisor') return true;
  const scope = member.readScope;
  if (!scope) return false;
  if (scope.kind === 'network') return true;
  const facility = facilityOfDoc(docId);
  return facility === undefined || districtOf(facility) === scope.district;
}

/** A21: roles whose devices author nothing; any change they send is refused. */
export function isReadOnly(member: Member): boolean {
  return member.role === 'supervisor';
}
