import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirectoryRow, PatientRow, SearchOptions } from '../../../src/crdt/ports';
import type { CtcId, FacilityCode } from '../../../src/domain/types';
import {
  directoryRowMatches,
  MAX_QUERY_LENGTH,
  parseQuery,
  patientRowMatches,
  rankedDirectoryRow,
  rankedPatientRow,
  scanAndRank,
} from '../../../src/storage/search';
import { createSearchIndex, directoryShape, patientShape } from '../../../src/storage/search-index';
import { directoryRow, patientRow } from './fixtures';

/** Fixed so a failure is reproducible; fast-check prints the seed and the shrunk case with it. */
const SEED = 20261204;

const facilities = ['12010001', '12010002', '13020001'] as FacilityCode[];
// Few letters, so names share prefixes and whole words as real registers do; accents and case
// check folding; an empty-looking part checks names that fold to nothing.
const word = fc
  .array(fc.constantFrom('a', 'm', 'w', 'z', 'i', 'ï', 'A', 'M'), { minLength: 1, maxLength: 5 })
  .map((letters) => letters.join(''));
// Spellings of one name (search-variants.ts), so whole-word variants are matched and ranked too.
const variant = fc.constantFrom('mohamed', 'muhammad', 'Mohamedi', 'ali', 'ally', 'fatma', 'asha');
const name = fc
  .tuple(
    fc.array(fc.oneof(word, word, variant), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(' ', '-', '  '),
  )
  .map(([words, separator]) => words.join(separator));
const person = fc.record({
  facility: fc.constantFrom(...facilities),
  serial: fc.integer({ min: 1, max: 400 }),
  givenName: name,
  familyName: name,
  phone: fc.option(fc.stringMatching(/^0[67]\d{2} \d{3} \d{3}$/), { nil: undefined }),
});
type Person = typeof person extends fc.Arbitrary<infer P> ? P : never;

const ctcIdOf = (p: Person) => `${p.facility}${String(p.serial).padStart(6, '0')}` as CtcId;
const input = (p: Person) => ({
  ctcId: ctcIdOf(p),
  givenName: p.givenName,
  familyName: p.familyName,
  ...(p.phone ? { phone: p.phone } : {}),
});

const operation = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), person }),
  fc.record({ kind: fc.constant('remove' as const), person }),
);

/** Queries built from the data (prefixes of names and IDs) and arbitrary ones. */
function queryFrom(people: readonly Person[]): fc.Arbitrary<string> {
  const some = people.length > 0 ? fc.constantFrom(...people) : person;
  return fc.oneof(
    fc.tuple(some, fc.integer({ min: 1, max: 6 })).map(([p, n]) => p.familyName.slice(0, n)),
    fc.tuple(some, some).map(([a, b]) => `${b.givenName.slice(0, 2)} ${a.familyName}`),
    fc.tuple(some, fc.integer({ min: 3, max: 14 })).map(([p, n]) => {
      const id = ctcIdOf(p).slice(0, n);
      return n > 8 ? `${id.slice(0, 4)}-${id.slice(4, 8)}-${id.slice(8)}` : id;
    }),
    fc
      .tuple(some, fc.integer({ min: 3, max: 9 }))
      .map(([p, n]) => (p.phone ?? '0712 345 678').slice(-n)),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('mohamed', 'muhammad ali', 'ally', 'moha', 'fatma a', 'asha mo'),
  );
}

const options = fc.option(
  fc.constantFrom(...facilities).map((ownFacility): SearchOptions => ({ ownFacility })),
  { nil: undefined },
);

describe('search index against the linear scan', () => {
  it(`returns the scan's ranked top-k after any upserts and removals (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(person, { maxLength: 60 }),
        fc.array(operation, { maxLength: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom(0, 3, 256),
        (initial, operations, querySeed, threshold) => {
          const directoryTruth = new Map<string, DirectoryRow>();
          const patientTruth = new Map<string, PatientRow>();
          for (const p of initial) {
            directoryTruth.set(ctcIdOf(p), directoryRow(input(p)));
            patientTruth.set(ctcIdOf(p), patientRow(input(p)));
          }
          const directory = createSearchIndex({ ...directoryShape, threshold }, [
            ...directoryTruth.values(),
          ]);
          const patients = createSearchIndex({ ...patientShape, threshold }, [
            ...patientTruth.values(),
          ]);
          for (const op of operations) {
            const id = ctcIdOf(op.person);
            if (op.kind === 'upsert') {
              directoryTruth.set(id, directoryRow(input(op.person)));
              patientTruth.set(id, patientRow(input(op.person)));
              directory.upsert(directoryRow(input(op.person)));
              patients.upsert(patientRow(input(op.person)));
            } else {
              patientTruth.delete(id);
              patients.remove(id);
            }
          }
          const everyone = [...initial, ...operations.map((op) => op.person)];
          const queries = fc.sample(fc.tuple(queryFrom(everyone), options, fc.nat(25)), {
            numRuns: 12,
            seed: querySeed,
          });
          for (const [query, searchOptions, limit] of queries) {
            const parsed = parseQuery(query);
            const label = JSON.stringify({ query, searchOptions, limit });
            const ids = (rows: ReadonlyArray<{ ctcId: string }>) => rows.map((row) => row.ctcId);
            expect(ids(directory.search(parsed, limit, searchOptions)), label).toEqual(
              ids(
                scanAndRank(
                  directoryTruth.values(),
                  parsed,
                  directoryRowMatches,
                  rankedDirectoryRow,
                  limit,
                  searchOptions,
                ),
              ),
            );
            expect(ids(patients.search(parsed, limit, searchOptions)), label).toEqual(
              ids(
                scanAndRank(
                  patientTruth.values(),
                  parsed,
                  patientRowMatches,
                  rankedPatientRow,
                  limit,
                  searchOptions,
                ),
              ),
            );
          }
          expect(patients.size).toBe(patientTruth.size);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('search ranking', () => {
  const rows = [
    directoryRow({ ctcId: '12010002000001' as CtcId, givenName: 'Amina', familyName: 'Mwita' }),
    directoryRow({ ctcId: '12010001000002' as CtcId, givenName: 'Aminata', familyName: 'Ally' }),
    directoryRow({ ctcId: '12010001000003' as CtcId, givenName: 'Amina', familyName: 'Zuberi' }),
  ];
  const index = createSearchIndex(directoryShape, rows);
  const found = (query: string, ownFacility?: FacilityCode) =>
    index
      .search(parseQuery(query), 10, ownFacility ? { ownFacility } : {})
      .map((row) => `${row.givenName} ${row.familyName}`);

  it('puts the own facility first, then whole words before prefixes, then names', () => {
    expect(found('amina')).toEqual(['Amina Mwita', 'Amina Zuberi', 'Aminata Ally']);
    expect(found('amina', '12010001' as FacilityCode)).toEqual([
      'Amina Zuberi',
      'Aminata Ally',
      'Amina Mwita',
    ]);
  });

  it('finds other spellings of a whole name word, after the spelling typed', () => {
    const spelled = createSearchIndex(directoryShape, [
      directoryRow({ ctcId: '12010001000004' as CtcId, givenName: 'Muhammad', familyName: 'Ally' }),
      directoryRow({ ctcId: '12010001000005' as CtcId, givenName: 'Mohamed', familyName: 'Ali' }),
    ]);
    const spelledNames = (query: string) =>
      spelled.search(parseQuery(query), 10).map((row) => `${row.givenName} ${row.familyName}`);
    expect(spelledNames('mohamed ali')).toEqual(['Mohamed Ali', 'Muhammad Ally']);
    expect(spelledNames('muhammad')).toEqual(['Muhammad Ally', 'Mohamed Ali']);
    // A prefix stays a prefix: typing does not jump between spellings.
    expect(spelledNames('muha')).toEqual(['Muhammad Ally']);
  });

  it('puts an exact CTC ID before everything', () => {
    expect(found('1201-0002-000001', '12010001' as FacilityCode)).toEqual(['Amina Mwita']);
  });

  it('answers long and odd input without throwing', () => {
    for (const query of ['a'.repeat(100_000), '😀'.repeat(500), '\u0000\uFFFF', ' -- ', '٣٤٥']) {
      expect(() => found(query)).not.toThrow();
    }
    expect(parseQuery(`amina ${'x'.repeat(10_000)}`)).toEqual({
      kind: 'words',
      words: ['amina', 'x'.repeat(MAX_QUERY_LENGTH - 'amina '.length)],
    });
  });
});
