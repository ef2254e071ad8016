/**
 * A patient's access log (issue 8 point 7; protocol.md §22 AL1–AL3): who fetched the record from
 * a device that held it. The holder appends one record per answered request to the patient
 * document itself, so the log travels with the record and the primary facility sees where its
 * patient's record went:
 *   access  Y.Array<AccessRecord>   append-only, like the clinical entries
 */
import type * as Y from 'yjs';
import type { IsoDateTime } from '../domain/types';
import { isIsoDateTime } from './entries';

export const accessRoot = 'access';

export interface AccessRecord {
  /** When the holder answered the request (its clock). */
  at: IsoDateTime;
  /** The device that asked, as it proved itself (A17), and its facility ('' for none). */
  deviceId: string;
  facility: string;
  /** The device that answered. */
  servedBy: string;
  /** The user the asking device named as signed in, when it named one. */
  user?: string;
}

const isId = (value: unknown) =>
  typeof value === 'string' && value.length >= 1 && value.length <= 64;

/** AL2: the shape peers accept in `access` (update policy). */
export function isAccessRecord(value: unknown): value is AccessRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).length;
  const named = record.user !== undefined;
  if (named && !(typeof record.user === 'string' && record.user.length <= 128)) return false;
  return (
    keys === (named ? 5 : 4) &&
    isIsoDateTime(record.at) &&
    isId(record.deviceId) &&
    isId(record.servedBy) &&
    typeof record.facility === 'string' &&
    (record.facility === '' || /^\d{8}$/.test(record.facility))
  );
}

export function appendAccess(doc: Y.Doc, record: AccessRecord): void {
  doc.getArray<AccessRecord>(accessRoot).push([{ ...record }]);
}

/** Newest first; anything malformed (it passed no policy on an old device) is left out. */
export function readAccessLog(doc: Y.Doc): AccessRecord[] {
  return doc
    .getArray<unknown>(accessRoot)
    .toArray()
    .filter(isAccessRecord)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
