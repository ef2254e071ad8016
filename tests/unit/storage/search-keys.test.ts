/**
 * The key indexes behind search (search-keys.ts, search-walk.ts, search-tiers.ts): digit, phone
 * and prefix queries return exactly the reference ranking whatever way a prefix is answered
 * (sorted range, list, shared list split by a later row), and a wide prefix reads O(limit +
 * log n) entries, not every match.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirectoryRow, PatientRow, SearchOptions } from '../../../src/crdt/ports';
import type { CtcId, FacilityCode } from '../../../src/domain/types';
import {
  directoryRowMatches,
  parseQuery,
  patientRowMatches,
  rankedDirectoryRow,
  rankedPatientRow,
  scanAndRank,
} from '../../../src/storage/search';
import { createSearchIndex, directoryShape, patientShape } from '../../../src/storage/search-index';
import { scanTopK } from '../../../src/storage/search-scan';
import { cursorOf, joinOf, take } from '../../../src/storage/search-walk';
import { directoryRow, patientRow } from './fixtures';

/** Fixed so a failure is reproducible; fast-check prints the seed and the shrunk case with it. */
const SEED = 20261205;

// IDs of two facilities sharing a prefix and one apart, serials from a small range so prefixes
// of every length are shared by several rows.
const facilities = ['12010001', '12010011', '12020001'] as FacilityCode[];
const person = fc.record({
  facility: fc.constantFrom(...facilities),
  serial: fc.integer({ min: 1, max: 60 }),
  // A transferred patient's primary facility is not the one in the CTC ID.
  movedTo: fc.option(fc.constantFrom(...facilities), { nil: undefined, freq: 4 }),
  givenName: fc.constantFrom('Amina', 'Ami', 'Asha', 'Aisha', 'Zuberi', 'Ali', 'Ally'),
  familyName: fc.constantFrom('Mwita', 'Mwamba', 'Mwakyusa', 'Massawe', 'Ma'),
  // Few digits, so phone substrings and national forms are shared by many rows.
  phone: fc.option(
    fc.oneof(
      fc.stringMatching(/^07[12]{2} [12]{3} [12]{3}$/),
      fc.stringMatching(/^\+255 7[12]{2} [12]{3} [12]{3}$/),
    ),
    { nil: undefined },
  ),
});
type Person = typeof person extends fc.Arbitrary<infer P> ? P : never;

const ctcIdOf = (p: Person) => `${p.facility}${String(p.serial).padStart(6, '0')}` as CtcId;
const input = (p: Person) => ({
  ctcId: ctcIdOf(p),
  givenName: p.givenName,
  familyName: p.familyName,
  ...(p.phone ? { phone: p.phone } : {}),
});
const asDirectoryRow = (p: Person): DirectoryRow => ({
  ...directoryRow(input(p)),
  ...(p.movedTo ? { facilityCode: p.movedTo } : {}),
});
const asPatientRow = (p: Person): PatientRow => ({
  ...patientRow(input(p)),
  ...(p.movedTo ? { primaryFacility: p.movedTo } : {}),
});

/** Digit, phone and prefix queries, from the data and not. */
const query = fc.oneof(
  fc
    .tuple(fc.constantFrom(...facilities), fc.integer({ min: 3, max: 14 }), fc.nat(60))
    .map(([facility, length, serial]) =>
      `${facility}${String(serial).padStart(6, '0')}`.slice(0, length),
    ),
  fc.stringMatching(/^[0-9]{3,6}$/),
  fc.stringMatching(/^(0|255|\+255 )?7[12]{1,4}$/),
  fc.stringMatching(/^(a|am|ami|amina|as|ai|al|ali|ally|m|mw|mwa|ma|zu)$/),
  fc.stringMatching(/^(ami|as|ali) (m|mw|ma)$/),
);

const options = fc.option(
  fc.constantFrom(...facilities).map((ownFacility): SearchOptions => ({ ownFacility })),
  { nil: undefined },
);

const step = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), person }),
  fc.record({ kind: fc.constant('remove' as const), person }),
  fc.record({ kind: fc.constant('query' as const), query, options, limit: fc.nat(12) }),
);

describe('key indexes against the linear scan', () => {
  it(`rank digit, phone and prefix queries as the scan does, between any changes (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(person, { maxLength: 80 }),
        fc.array(step, { maxLength: 60 }),
        fc.constantFrom(0, 1, 2, 5, 128),
        (initial, steps, threshold) => {
          const directoryTruth = new Map<string, DirectoryRow>();
          const patientTruth = new Map<string, PatientRow>();
          for (const p of initial) {
            directoryTruth.set(ctcIdOf(p), asDirectoryRow(p));
            patientTruth.set(ctcIdOf(p), asPatientRow(p));
          }
          const directory = createSearchIndex({ ...directoryShape, threshold }, [
            ...directoryTruth.values(),
          ]);
          const patients = createSearchIndex({ ...patientShape, threshold }, [
            ...patientTruth.values(),
          ]);
          const ids = (rows: ReadonlyArray<{ ctcId: string }>) => rows.map((row) => row.ctcId);
          for (const s of steps) {
            if (s.kind === 'upsert') {
              directoryTruth.set(ctcIdOf(s.person), asDirectoryRow(s.person));
              patientTruth.set(ctcIdOf(s.person), asPatientRow(s.person));
              directory.upsert(asDirectoryRow(s.person));
              patients.upsert(asPatientRow(s.person));
            } else if (s.kind === 'remove') {
              patientTruth.delete(ctcIdOf(s.person));
              patients.remove(ctcIdOf(s.person));
            } else {
              const parsed = parseQuery(s.query);
              const label = JSON.stringify({ query: s.query, options: s.options, limit: s.limit });
              expect(ids(directory.search(parsed, s.limit, s.options)), label).toEqual(
                ids(
                  scanAndRank(
                    directoryTruth.values(),
                    parsed,
                    directoryRowMatches,
                    rankedDirectoryRow,
                    s.limit,
                    s.options,
                  ),
                ),
              );
              expect(ids(patients.search(parsed, s.limit, s.options)), label).toEqual(
                ids(
                  scanAndRank(
                    patientTruth.values(),
                    parsed,
                    patientRowMatches,
                    rankedPatientRow,
                    s.limit,
                    s.options,
                  ),
                ),
              );
            }
          }
        },
      ),
      { seed: SEED, numRuns: 250 },
    );
  });
});

describe('the scan used while the indexes build', () => {
  it(`keeps the reference's top-k without sorting every match (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(person, { maxLength: 80 }),
        query,
        options,
        fc.integer({ min: -1, max: 30 }),
        (people, text, searchOptions, limit) => {
          const rows = [...new Map(people.map((p) => [ctcIdOf(p), asPatientRow(p)])).values()];
          const parsed = parseQuery(text);
          const args = [
            rows,
            parsed,
            patientRowMatches,
            rankedPatientRow,
            limit,
            searchOptions,
          ] as const;
          expect(scanTopK(...args).map((row) => row.ctcId)).toEqual(
            scanAndRank(...args).map((row) => row.ctcId),
          );
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('name order kept as numbers', () => {
  it('stays the name order when many rows arrive at one place (the numbers renumbered)', () => {
    const row = (serial: number, givenName: string) =>
      directoryRow({
        ctcId: `12010001${String(serial).padStart(6, '0')}` as CtcId,
        givenName,
        familyName: 'Mwita',
      });
    // A row before them, so the gap halved is not near 0, where a number has room to spare.
    const first = directoryRow({
      ctcId: '12010001999999' as CtcId,
      givenName: 'Asha',
      familyName: 'Ally',
    });
    const index = createSearchIndex(directoryShape, [first, row(0, 'Amina'), row(999, 'Amina')]);
    // Each arrives just before the one before it: every one halves the same gap.
    for (let serial = 300; serial > 0; serial -= 1) index.upsert(row(serial, 'Amina'));
    index.upsert(row(500, 'Zawadi'));
    const found = index.search(parseQuery('mwita'), 1_000).map((r) => r.ctcId.slice(-6));
    const expected = [0, ...Array.from({ length: 300 }, (_, i) => i + 1), 999, 500];
    expect(found).toEqual(expected.map((serial) => String(serial).padStart(6, '0')));
  });
});

describe('walking runs', () => {
  // Slots compared as numbers: a run is a sorted list of distinct numbers.
  const byNumber = (a: number, b: number) => a - b;
  const run = fc.uniqueArray(fc.nat(200), { maxLength: 80 }).map((values) => values.sort(byNumber));

  it(`joins and merges runs as sets do, whatever their lengths (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(run, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        (words) => {
          const counter = { visits: 0 };
          // Each word: the union of its runs; the query: the intersection of its words.
          const cursors = words.map((runs) =>
            cursorOf(
              runs.map((list) => ({ list, from: 0, to: list.length })),
              byNumber,
              counter,
            ),
          );
          const found: number[] = [];
          take(joinOf(cursors, byNumber), 1_000, found);
          const unions = words.map((runs) => new Set(runs.flat()));
          const expected = [...(unions[0] as Set<number>)]
            .filter((value) => unions.every((union) => union.has(value)))
            .sort(byNumber);
          expect(found).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('a wide query reads O(limit + log n) entries', () => {
  const LIMIT = 50;
  const PER_FACILITY = 10_000;
  const codes = ['12010001', '12020001', '12020002'] as FacilityCode[];
  const given = ['Amina', 'Baraka', 'Neema', 'Juma', 'Rehema', 'Zaituni', 'Hamisi', 'Upendo'];
  const family = ['Mwakyusa', 'Mwamba', 'Kapinga', 'Massawe', 'Mushi', 'Njau', 'Lyimo', 'Ally'];
  const people = codes.flatMap((facility, f) =>
    Array.from({ length: PER_FACILITY }, (_, i) => ({
      ctcId:
        `${facility}${String(1 + Math.floor(i / 9999)).padStart(2, '0')}${String(1 + (i % 9999)).padStart(4, '0')}` as CtcId,
      givenName: given[(i * 7 + f) % given.length] as string,
      familyName: family[(i * 13 + f * 3) % family.length] as string,
      phone: `+255 7${String((i * 7_919 + f * 104_729) % 100_000_000).padStart(8, '0')}`,
    })),
  );
  const directory = createSearchIndex(directoryShape, people.map(directoryRow));
  const patients = createSearchIndex(
    patientShape,
    people.filter((p) => p.ctcId.startsWith(codes[0] as string)).map(patientRow),
  );
  // Binary searches read no slot; the merge of the other facilities reads one head each.
  const bound = (rows: number) => 2 * LIMIT + codes.length + 4 * Math.ceil(Math.log2(rows));

  const visits = (index: typeof directory | typeof patients, text: string, own?: string) => {
    const before = index.visits;
    const found = index.search(
      parseQuery(text),
      LIMIT,
      own ? { ownFacility: own as FacilityCode } : {},
    );
    expect(found).toHaveLength(LIMIT);
    return index.visits - before;
  };

  it.each([
    // Another facility's prefix typed at the own facility: no own row matches.
    ['1202', '12010001'],
    ['12020', '12010001'],
    // The own facility's prefix: every own row matches.
    ['1201', '12010001'],
    ['120', undefined],
    ['120200010', '12020002'],
    // One letter, and a common word.
    ['a', '12020001'],
    ['m', undefined],
    ['mwakyusa', '12010001'],
  ])('directory: %s (own facility %s)', (text, own) => {
    expect(visits(directory, text, own)).toBeLessThanOrEqual(bound(directory.size));
  });

  it.each([
    // Every phone has the country code, and the ID prefix matches too.
    ['2557', '12010001'],
    ['255 7', undefined],
    ['1201', '12010001'],
  ])('patients: %s (own facility %s)', (text, own) => {
    expect(visits(patients, text, own)).toBeLessThanOrEqual(bound(patients.size));
  });
});
