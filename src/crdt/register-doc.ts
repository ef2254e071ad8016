/**
 * A facility's register (design.md §2): the searchable summary of every patient it registered.
 * All devices replicate all registers, so a patient registered anywhere can be found anywhere.
 *   meta      Y.Map  schema, kind, facilityCode
 *   patients  Y.Map<ctcId, Y.Map>  one nested map per patient, so devices updating different
 *             fields of one summary (status here, last visit there) both keep their change.
 */
import * as Y from 'yjs';
import type {
  CtcId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  PatientStatus,
  Sex,
} from '../domain/types';
import { addDays } from '../domain/dates';
import { futureToleranceDays } from '../domain/entry-dates';
import { searchTokens } from '../lib/text';
import type { DerivedLastVisit } from './patient-doc';
import type { DirectoryRow } from './ports';
import { currentSchemaVersion } from './schema';

export interface RegisterSummary {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  sex: Sex;
  birthYear: number;
  status: PatientStatus;
  registeredAt: IsoDateTime;
  lastVisitDate?: IsoDate;
  lastVisitFacility?: FacilityCode;
}

export const registerPatients = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('patients');

export function initRegisterDoc(doc: Y.Doc, facilityCode: FacilityCode): void {
  const meta = doc.getMap('meta');
  if (meta.get('schema') === undefined) meta.set('schema', currentSchemaVersion);
  meta.set('kind', 'register');
  meta.set('facilityCode', facilityCode);
}

/** Set the fields that differ. A last visit only ever moves forward in time. */
export function upsertSummary(doc: Y.Doc, summary: Partial<RegisterSummary> & { ctcId: CtcId }) {
  const all = registerPatients(doc);
  let entry = all.get(summary.ctcId);
  if (!(entry instanceof Y.Map)) {
    entry = new Y.Map<unknown>();
    all.set(summary.ctcId, entry);
  }
  const current = entry;
  const previousVisit = current.get('lastVisitDate');
  for (const [key, value] of Object.entries(summary)) {
    if (value === undefined || current.get(key) === value) continue;
    if (
      (key === 'lastVisitDate' || key === 'lastVisitFacility') &&
      typeof previousVisit === 'string' &&
      typeof summary.lastVisitDate === 'string' &&
      summary.lastVisitDate < previousVisit
    ) {
      continue;
    }
    current.set(key, value);
  }
}

/**
 * W5: set a summary's last visit from what a record says (`deriveLastVisit`), so a visit
 * corrected to an earlier date, or a future-dated one, moves it back. The writer may move it back
 * only when its record holds a visit on the date the summary names now (it saw that visit, and
 * knows it was corrected or does not count), or when that date is in the future; otherwise a
 * device holding an older copy of the record would undo a later visit recorded elsewhere, and
 * only a later date is taken.
 */
export function setLastVisit(doc: Y.Doc, ctcId: CtcId, derived: DerivedLastVisit): void {
  const summary = registerPatients(doc).get(ctcId);
  if (!(summary instanceof Y.Map)) return;
  const raw = summary.get('lastVisitDate');
  const current = typeof raw === 'string' ? raw : undefined;
  const later = derived.date !== undefined && (current === undefined || derived.date > current);
  const knownOrFuture =
    current !== undefined &&
    (derived.heldVisitDates.has(current) || current > addDays(derived.today, futureToleranceDays));
  // W6: with no counted visit left there is nothing to say; peers' update policy (§15) takes
  // only a calendar date here, so no null is written.
  if ((!later && !knownOrFuture) || derived.date === undefined) return;
  const next: Record<string, string> = { lastVisitDate: derived.date };
  if (derived.facility !== undefined) next.lastVisitFacility = derived.facility;
  for (const [key, value] of Object.entries(next)) {
    if (summary.get(key) !== value) summary.set(key, value);
  }
}

export function hasSummary(doc: Y.Doc, ctcId: CtcId): boolean {
  return registerPatients(doc).get(ctcId) instanceof Y.Map;
}

/** The register's facility: from its metadata. */
export function registerFacility(doc: Y.Doc): FacilityCode | undefined {
  const value = doc.getMap('meta').get('facilityCode');
  return typeof value === 'string' ? (value as FacilityCode) : undefined;
}

const statuses: ReadonlySet<string> = new Set(['active', 'transferred_out', 'died', 'stopped']);

/** Summaries come from peers: a malformed one is skipped, never shown half-read. */
function toDirectoryRow(
  facilityCode: FacilityCode,
  ctcId: string,
  value: unknown,
): DirectoryRow | undefined {
  if (!(value instanceof Y.Map)) return undefined;
  const s = value.toJSON() as Record<string, unknown>;
  if (
    typeof s.givenName !== 'string' ||
    typeof s.familyName !== 'string' ||
    (s.sex !== 'female' && s.sex !== 'male') ||
    typeof s.birthYear !== 'number' ||
    typeof s.status !== 'string' ||
    !statuses.has(s.status) ||
    !/^\d{14}$/.test(ctcId)
  ) {
    return undefined;
  }
  const row: DirectoryRow = {
    ctcId: ctcId as CtcId,
    facilityCode,
    givenName: s.givenName,
    familyName: s.familyName,
    nameTokens: searchTokens(s.givenName, s.familyName),
    sex: s.sex,
    birthYear: s.birthYear,
    status: s.status as PatientStatus,
  };
  if (typeof s.lastVisitDate === 'string') row.lastVisitDate = s.lastVisitDate as IsoDate;
  if (typeof s.lastVisitFacility === 'string')
    row.lastVisitFacility = s.lastVisitFacility as FacilityCode;
  return row;
}

/** Directory rows for the given patients (all when `ctcIds` is omitted). */
export function directoryRows(
  doc: Y.Doc,
  facilityCode: FacilityCode,
  ctcIds?: Iterable<string>,
): DirectoryRow[] {
  const all = registerPatients(doc);
  const keys = ctcIds ? [...ctcIds] : [...all.keys()];
  const rows: DirectoryRow[] = [];
  for (const key of keys) {
    const row = toDirectoryRow(facilityCode, key, all.get(key));
    if (row) rows.push(row);
  }
  return rows;
}

/**
 * CTC IDs whose summary changed, from `observeDeep` events on the `patients` map, so the
 * directory index is updated for those rows only.
 */
export function changedSummaryKeys(
  events: readonly Y.YEvent<Y.AbstractType<unknown>>[],
): Set<string> {
  const keys = new Set<string>();
  for (const event of events) {
    const path = event.path;
    if (path.length === 0 && event instanceof Y.YMapEvent) {
      for (const key of event.keysChanged as Set<string>) keys.add(key);
    } else if (typeof path[0] === 'string') {
      keys.add(path[0]);
    }
  }
  return keys;
}
