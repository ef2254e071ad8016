/**
 * The search screen's query: held records and the district directory, searched on the storage
 * indexes (storage/search-queries.ts) and merged in the indexes' own rank order (exact CTC ID,
 * own facility, whole words before prefixes, then name), so the top of the list is the same
 * whichever table a patient came from.
 */
import type { PatientQueries } from '../crdt/ports';
import type { FacilityCode } from '../domain/types';
import {
  compareRanked,
  parseQuery,
  rankedDirectoryRow,
  rankedPatientRow,
  rankTier,
  type RankedRow,
} from '../storage/search';
import type { SearchHit } from './views';

/** Rows of each table the screen shows at most. */
export const SEARCH_LIMIT = 50;

type SearchPort = Pick<PatientQueries, 'searchDirectory' | 'searchPatients' | 'getPatientRows'>;

export async function searchClinic(
  store: SearchPort,
  query: string,
  ownFacility: FacilityCode | undefined,
): Promise<SearchHit[]> {
  // parseQuery trims long input itself; a non-string (a caller's bug) finds nothing.
  const trimmed = typeof query === 'string' ? query.trim() : '';
  const parsed = parseQuery(trimmed);
  if (parsed.kind === 'empty') return [];
  const options = ownFacility ? { ownFacility } : {};
  const [directory, held] = await Promise.all([
    store.searchDirectory(trimmed, SEARCH_LIMIT, options),
    store.searchPatients(trimmed, SEARCH_LIMIT, options),
  ]);
  const hits = new Map<string, { hit: SearchHit; tier: number; key: string }>();
  const add = (hit: SearchHit, ranked: RankedRow) =>
    hits.set(hit.ctcId, { hit, tier: rankTier(ranked, parsed, options), key: ranked.key });
  for (const row of held) {
    add(
      {
        ctcId: row.ctcId,
        givenName: row.givenName,
        familyName: row.familyName,
        sex: row.sex,
        birthYear: Number(row.birthDate.slice(0, 4)),
        facilityCode: row.primaryFacility,
        status: row.status,
        held: true,
      },
      rankedPatientRow(row),
    );
  }
  const listedOnly = directory.filter((row) => !hits.has(row.ctcId));
  // Held means the full record is here, not only entries recorded before it arrived: one read
  // for all of them.
  const records = await store.getPatientRows(listedOnly.map((row) => row.ctcId));
  listedOnly.forEach((row, i) => {
    add(
      {
        ctcId: row.ctcId,
        givenName: row.givenName,
        familyName: row.familyName,
        sex: row.sex,
        birthYear: row.birthYear,
        facilityCode: row.facilityCode,
        status: row.status,
        held: records[i] !== undefined,
      },
      rankedDirectoryRow(row),
    );
  });
  return [...hits.values()].sort(compareRanked).map((entry) => entry.hit);
}
