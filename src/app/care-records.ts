/**
 * The one bridge from a stored patient document to what the care rules and reports read
 * (src/domain/care, decision 0025). Future-dated entries are left out first (W3,
 * `countedSnapshot`), so a phone with a wrong clock cannot decide an alert or a report figure.
 */
import type { PatientSnapshot } from '../crdt/patient-doc';
import { countedSnapshot, entryKindsInOrder } from '../crdt/patient-doc';
import type { CareRecord } from '../domain/care/record';
import type { Entry, IsoDate } from '../domain/types';

/** A record the rules can read, or undefined while its registration has not arrived. */
export function careRecordOf(snapshot: PatientSnapshot, today: IsoDate): CareRecord | undefined {
  const { ctcId, primaryFacility, registeredAt, demographics } = snapshot;
  if (!ctcId || !primaryFacility || !registeredAt || !demographics) return undefined;
  const counted = countedSnapshot(snapshot, today);
  const entries: Entry[] = [];
  for (const kind of entryKindsInOrder) entries.push(...counted.entries[kind]);
  return { ctcId, primaryFacility, registeredAt, demographics, entries };
}
