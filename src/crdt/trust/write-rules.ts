/**
 * Roles decide what is accepted (issue 8 point 6): the rule table, as data, that every peer
 * applies to a verified signed change on top of the content policy (src/crdt/policy). The table
 * is what docs/security.md shows; each row is cited by a test named with its id. Default deny: a
 * place no allowing row covers is refused (WR23).
 */
import * as Y from 'yjs';
import { facilityOfCtcId } from '../../domain/ctc-id';
import type { FacilityCode } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import {
  ctcIdOfDoc,
  docKind,
  facilityOfRegisterDoc,
  facilityOfReportDoc,
  type DocId,
  type DocKind,
} from '../doc-id';
import { budgets } from '../policy/budgets';
import { createPlaceResolver } from '../policy/places';
import { scanUpdate, type ScanError } from '../policy/update-reader';
import type { Member } from './types';

export type WriteRuleId = `WR${number}`;

export interface WriteRule {
  id: WriteRuleId;
  who: string;
  docKind: DocKind | 'any';
  what: string;
  verdict: 'allowed' | 'refused';
  why: string;
}

const row = (
  id: WriteRuleId,
  who: string,
  kind: DocKind | 'any',
  what: string,
  verdict: WriteRule['verdict'],
  why: string,
): WriteRule => ({ id, who, docKind: kind, what, verdict, why });

/** The rule table. Rows are checked in this order; the first refusing row names the refusal. */
export const writeRules: readonly WriteRule[] = [
  row('WR1', 'supervisor', 'any', 'any change', 'refused', 'supervisors read; they never write'),
  row('WR2', 'relay', 'any', 'any change', 'refused', 'a relay carries changes, it makes none'),
  row(
    'WR3',
    'revoked device',
    'any',
    'a change signed after its revocation',
    'refused',
    'a lost or stolen device must not write; its earlier changes stay',
  ),
  row('WR4', 'a device not enrolled', 'any', 'any change', 'refused', 'nobody vouches for it'),
  row(
    'WR5',
    'clinician without a facility',
    'any',
    'any change',
    'refused',
    'its entries could name no facility',
  ),
  row(
    'WR6',
    'any writer',
    'patient',
    'an entry stamped with another device',
    'refused',
    'the stamp must say who really wrote it',
  ),
  row(
    'WR7',
    'any writer',
    'patient',
    'an entry stamped with another facility',
    'refused',
    'the stamp must say where it was really written',
  ),
  row(
    'WR8',
    'any writer',
    'patient',
    "an entry stamped with a user the network does not list at the signer's facility",
    'refused',
    'a device records only for its own facility’s users',
  ),
  row(
    'WR9',
    'clinician',
    'patient',
    'anything, for a patient registered at its own facility',
    'allowed',
    'the registering facility keeps the record',
  ),
  row(
    'WR10',
    'clinician',
    'patient',
    'append visits, results, appointments, status changes, tracing, alert answers for a patient of another facility',
    'allowed',
    'patients are seen wherever they come (the mission)',
  ),
  row(
    'WR11',
    'clinician',
    'patient',
    'record metadata of a patient of another facility',
    'allowed',
    'write-once: the content policy lets it only repeat what is there (U12)',
  ),
  row(
    'WR12',
    'clinician',
    'patient',
    'demographics (and their edit log) of a patient of another facility',
    'refused',
    'the registering facility owns who the patient is',
  ),
  row(
    'WR13',
    'clinician',
    'register',
    'anything, in the register of its own facility',
    'allowed',
    'a facility keeps its own register',
  ),
  row(
    'WR14',
    'clinician',
    'register',
    "status, lastVisitDate, lastVisitFacility of an existing summary in another facility's register",
    'allowed',
    'what a visit elsewhere updates (clinic-service touchRegister)',
  ),
  row(
    'WR15',
    'clinician',
    'register',
    "anything else in another facility's register (new summaries, names, metadata)",
    'refused',
    'only the registering facility lists its patients',
  ),
  row(
    'WR16',
    'admin',
    'network',
    'membership: facilities, devices, users',
    'allowed',
    'admins enroll facilities and devices',
  ),
  row(
    'WR17',
    'non-admin',
    'network',
    'membership: facilities, devices',
    'refused',
    'only an admin may change who belongs',
  ),
  row(
    'WR18',
    'network admin',
    'network',
    'settings',
    'allowed',
    'settings apply to every facility',
  ),
  row(
    'WR19',
    'district admin or non-admin',
    'network',
    'settings',
    'refused',
    'one district must not change the whole network',
  ),
  row(
    'WR20',
    'clinician',
    'network',
    'users of its own facility',
    'allowed',
    'a facility names its own staff',
  ),
  row(
    'WR21',
    'non-admin clinician',
    'network',
    'users of another facility',
    'refused',
    'a facility must not name another’s staff',
  ),
  row(
    'WR22',
    'clinician',
    'network',
    'network metadata',
    'allowed',
    'write-once: the content policy lets it only repeat what is there (U12)',
  ),
  row(
    'WR24',
    'clinician',
    'network',
    'the record of its own device and of its own facility',
    'allowed',
    'setup lists the device where it works; the content policy keeps records insert-only (U12)',
  ),
  row(
    'WR25',
    'any member',
    'network',
    'membership operations',
    'allowed',
    'each operation is signed and verified on its own (MS3); any member may admit a newcomer',
  ),
  row(
    'WR26',
    'clinician or relay',
    'patient',
    'append to the access log of a patient of another facility (a relay: only this)',
    'allowed',
    'the device that served a record says who asked (AL1)',
  ),
  row(
    'WR27',
    'clinician',
    'report',
    'the report document of its own facility',
    'allowed',
    "a facility's device publishes the figures of the records it keeps (decision 0026)",
  ),
  row(
    'WR28',
    'clinician',
    'report',
    "another facility's report document",
    'refused',
    'only the facility that holds the records may say what they add up to',
  ),
  row('WR23', 'anyone', 'any', 'a place no row above allows', 'refused', 'default deny'),
];

export const WriteRefusalReason = {
  unknownSigner: 'unknown-signer',
  revoked: 'revoked',
  readOnlyRole: 'read-only-role',
  noFacility: 'no-facility',
  stampMismatch: 'stamp-mismatch',
  foreignDemographics: 'foreign-demographics',
  foreignRegister: 'foreign-register',
  foreignReport: 'foreign-report',
  notAdmin: 'not-admin',
  notAllowed: 'not-allowed',
} as const;
export type WriteRefusalReason = (typeof WriteRefusalReason)[keyof typeof WriteRefusalReason];

export interface WriteRefusal {
  rule: WriteRuleId;
  reason: WriteRefusalReason;
  detail: string;
}

/** A place an update writes or deletes: root type, nested map key, own key (policy `Place`). */
export interface Touch {
  root: string;
  outer: string | null;
  key: string | null;
  /** The new values (any content), for stamps and records. */
  values?: unknown[];
  deleted?: true;
}

/** What an entry's stamp claims; an absent field is the content policy's to refuse (U20). */
export interface StampClaim {
  user?: string;
  device?: string;
  facility?: string;
}

export interface WriteRequest {
  signer: Member | undefined;
  /** The change was signed after the signer's revocation (membership history decides). */
  revoked: boolean;
  docKind: DocKind;
  /** Registering facility of a patient, facility of a register (`docFacilityOf`). */
  docFacility?: FacilityCode;
  touches: readonly Touch[];
  entryStamps: readonly StampClaim[];
  /** Users the network lists at the signer's facility; when absent WR8 is not checked. */
  facilityUsers?: ReadonlySet<string>;
}

const refuse = (rule: WriteRuleId, reason: WriteRefusalReason, detail: string) =>
  err<WriteRefusal>({ rule, reason, detail });

// Tracing attempts and alert answers are written like visits (issue 10): by whoever sees or
// traces the patient, at any facility.
const entryLists = new Set([
  'visits',
  'results',
  'appointments',
  'statusChanges',
  'tracing',
  'alertAcks',
]);
const demographicRoots = new Set(['demographics', 'demographicsLog']);
const visitSummaryKeys = new Set(['status', 'lastVisitDate', 'lastVisitFacility']);
const membershipRoots = new Set(['facilities', 'devices']);
const where = (t: Touch) => [t.root, t.outer, t.key].filter((s) => s !== null).join('.');

/** Which row decides one touch; `undefined` only for allowing rows. */
function ruleForTouch(
  signer: Member,
  request: WriteRequest,
  touch: Touch,
): WriteRefusal | undefined {
  const own = signer.facilityCode !== undefined && signer.facilityCode === request.docFacility;
  const detail = where(touch);
  const no = (rule: WriteRuleId, reason: WriteRefusalReason): WriteRefusal => ({
    rule,
    reason,
    detail,
  });
  switch (request.docKind) {
    case 'patient':
      if (own) return undefined; // WR9
      if (entryLists.has(touch.root) && touch.key === null && !touch.deleted) return undefined; // WR10
      if (touch.root === 'meta') return undefined; // WR11
      if (touch.root === 'access' && touch.key === null && !touch.deleted) return undefined; // WR26
      if (demographicRoots.has(touch.root))
        return no('WR12', WriteRefusalReason.foreignDemographics);
      return no('WR23', WriteRefusalReason.notAllowed);
    case 'register':
      if (own) return undefined; // WR13
      if (
        touch.root === 'patients' &&
        touch.outer !== null &&
        visitSummaryKeys.has(touch.key ?? '')
      ) {
        return undefined; // WR14
      }
      return no('WR15', WriteRefusalReason.foreignRegister);
    case 'report':
      return own ? undefined : no('WR28', WriteRefusalReason.foreignReport); // WR27
    case 'network': {
      if (touch.root === 'meta') return undefined; // WR22
      if (touch.root === 'membership' && !touch.deleted) return undefined; // WR25
      if (
        !touch.deleted &&
        ((touch.root === 'devices' && touch.key === signer.deviceId) ||
          (touch.root === 'facilities' && touch.key === signer.facilityCode))
      ) {
        return undefined; // WR24
      }
      if (touch.root === 'settings') {
        return signer.admin?.kind === 'network'
          ? undefined
          : no('WR19', WriteRefusalReason.notAdmin); // WR18
      }
      if (signer.admin && (membershipRoots.has(touch.root) || touch.root === 'users')) {
        return undefined; // WR16
      }
      if (membershipRoots.has(touch.root)) return no('WR17', WriteRefusalReason.notAdmin);
      if (touch.root === 'users') {
        const ownUsers = (touch.values ?? []).every(
          (user) =>
            typeof user === 'object' &&
            user !== null &&
            (user as { facilityCode?: unknown }).facilityCode === signer.facilityCode,
        );
        // A deleted user record carries no value: only an admin may remove staff.
        return ownUsers && !touch.deleted ? undefined : no('WR21', WriteRefusalReason.notAdmin); // WR20
      }
      return no('WR23', WriteRefusalReason.notAllowed);
    }
  }
}

const isMembershipOnly = (request: WriteRequest) =>
  request.touches.length > 0 && request.touches.every((t) => t.root === 'membership' && !t.deleted);

const isAccessAppendOnly = (request: WriteRequest) =>
  request.touches.length > 0 &&
  request.entryStamps.length === 0 &&
  request.touches.every((t) => t.root === 'access' && t.key === null && !t.deleted);

/** The write rules for one verified change. Never throws; the first refusing row wins. */
export function checkWrite(request: WriteRequest): Result<void, WriteRefusal> {
  const { signer } = request;
  if (!signer) return refuse('WR4', WriteRefusalReason.unknownSigner, 'not a member');
  if (request.revoked) return refuse('WR3', WriteRefusalReason.revoked, signer.deviceId);
  // WR25: any member, whatever its role, may store membership ops: each is signed and verified
  // on its own, and a relay or a supervisor may be the first to admit a newcomer (A24).
  if (request.docKind === 'network' && isMembershipOnly(request)) return ok(undefined);
  if (signer.role === 'supervisor')
    return refuse('WR1', WriteRefusalReason.readOnlyRole, signer.deviceId);
  if (signer.role === 'relay') {
    // WR26: a relay serves records too, and says who fetched them; nothing else.
    if (request.docKind === 'patient' && isAccessAppendOnly(request)) return ok(undefined);
    return refuse('WR2', WriteRefusalReason.readOnlyRole, signer.deviceId);
  }
  if (!signer.facilityCode) return refuse('WR5', WriteRefusalReason.noFacility, signer.deviceId);
  for (const stamp of request.entryStamps) {
    if (stamp.device !== undefined && stamp.device !== signer.deviceId) {
      return refuse('WR6', WriteRefusalReason.stampMismatch, `stamped ${stamp.device}`);
    }
    if (stamp.facility !== undefined && stamp.facility !== signer.facilityCode) {
      return refuse('WR7', WriteRefusalReason.stampMismatch, `stamped ${stamp.facility}`);
    }
    if (
      stamp.user !== undefined &&
      request.facilityUsers &&
      !request.facilityUsers.has(stamp.user)
    ) {
      return refuse('WR8', WriteRefusalReason.stampMismatch, `stamped user ${stamp.user}`);
    }
  }
  for (const touch of request.touches) {
    const refusal = ruleForTouch(signer, request, touch);
    if (refusal) return err(refusal);
  }
  return ok(undefined);
}

/** The facility a document belongs to: a patient's registering facility, a register's or report's own. */
export function docFacilityOf(docId: DocId): FacilityCode | undefined {
  const ctcId = ctcIdOfDoc(docId);
  return ctcId
    ? facilityOfCtcId(ctcId)
    : (facilityOfRegisterDoc(docId) ?? facilityOfReportDoc(docId));
}

/**
 * The places `update` writes and deletes, resolved against the live document with the content
 * policy's reader (read-only). Structs the document already holds are not touches.
 */
export function touchesOf(
  docId: DocId,
  live: Y.Doc,
  update: Uint8Array,
): Result<Touch[], ScanError> {
  const scanned = scanUpdate(update, budgets[docKind(docId)]);
  if (!scanned.ok) return scanned;
  const resolver = createPlaceResolver(live, scanned.value.structs);
  const touches: Touch[] = [];
  const add = (place: ReturnType<typeof resolver.placeOf>, extra: Partial<Touch>) => {
    if (!place) return false;
    if (place.type === 'value')
      touches.push({ root: place.root, outer: place.outer, key: place.key, ...extra });
    return true;
  };
  for (let index = 0; index < scanned.value.structs.length; index++) {
    const struct = scanned.value.structs[index]!;
    if (struct.kind === 'gc' || struct.kind === 'skip') continue;
    const state = resolver.liveState(struct.client);
    if (struct.clock + struct.length <= state) continue;
    const values = struct.values?.slice(Math.max(0, state - struct.clock));
    const extra: Partial<Touch> =
      struct.kind === 'deleted' ? { deleted: true } : values ? { values } : {};
    if (!add(resolver.placeOf(index), extra)) {
      return err({ type: 'malformed', detail: `parent of ${struct.client}:${struct.clock}` });
    }
  }
  for (const range of scanned.value.deletes) {
    const list = resolver.liveStructs(range.client);
    if (range.clock >= resolver.liveState(range.client)) continue;
    for (let i = Y.findIndexSS(list, range.clock); i < list.length; i++) {
      const struct = list[i]!;
      if (struct.id.clock >= range.clock + range.length) break;
      if (struct instanceof Y.Item) add(resolver.placeOfLive(struct), { deleted: true });
    }
  }
  return ok(touches);
}

/** The stamps of the entries an update appends to a patient's entry lists. */
export function entryStampsOf(touches: readonly Touch[]): StampClaim[] {
  const claims: StampClaim[] = [];
  for (const touch of touches) {
    if (touch.key !== null || touch.outer !== null) continue;
    for (const value of touch.values ?? []) {
      const stamp = (value as { stamp?: unknown } | null)?.stamp as
        Record<string, unknown> | undefined;
      if (typeof stamp !== 'object' || stamp === null) continue;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const claim: StampClaim = {};
      const [user, device, facility] = [
        text(stamp.userId),
        text(stamp.deviceId),
        text(stamp.facilityCode),
      ];
      if (user !== undefined) claim.user = user;
      if (device !== undefined) claim.device = device;
      if (facility !== undefined) claim.facility = facility;
      claims.push(claim);
    }
  }
  return claims;
}
