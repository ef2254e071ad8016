/**
 * Search keystrokes on the in-memory index (src/storage/search-index.ts) against a linear scan
 * of the same rows, in one Node process, interleaved and repeated; and the index's build time
 * against a plain copy of the same rows. Method: bench/README.md (Search).
 *
 *   npx tsx bench/search/index-vs-scan.ts [--rounds 5] [--sizes 10000,100000] [--out file]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DirectoryRow, PatientRow } from '../../src/crdt/ports';
import type { IsoDate, IsoDateTime } from '../../src/domain/types';
import { digitsOnly, searchTokens } from '../../src/lib/text';
import { directoryRowMatches, parseQuery, patientRowMatches } from '../../src/storage/search';
import { createSearchIndex, directoryShape, patientShape } from '../../src/storage/search-index';
import { ctcIdAt, OWN_FACILITY, otherFacility, personAt } from '../app/data';
import { percentile, round } from '../app/stats';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    sizes: { type: 'string' },
    out: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds ?? 5);
const SIZES = (args.sizes ?? '10000,100000').split(',').map(Number);
const OUT = args.out ?? 'bench/results/search.json';
const HELD = 10_000;
const LIMIT = 50;
/** A facility's register, as in a district: the own facility and others of 4,000 each. */
const PER_FACILITY = 4_000;

/** bench/app's names plus a syllable so a district has many surnames, not twenty. */
const SYLLABLES = ['', 'la', 'ngo', 'si', 'wa', 'ki', 'mbe', 'ru'];

function rowsOf(size: number): { directory: DirectoryRow[]; patients: PatientRow[] } {
  const directory: DirectoryRow[] = [];
  const patients: PatientRow[] = [];
  for (let i = 0; i < size; i += 1) {
    const f = Math.floor(i / PER_FACILITY);
    const facility = f === 0 ? OWN_FACILITY : otherFacility(f);
    const ctcId = ctcIdAt(facility, i % PER_FACILITY);
    const p = personAt(i);
    const familyName = `${p.familyName}${SYLLABLES[i % SYLLABLES.length] ?? ''}`;
    const nameTokens = searchTokens(p.givenName, familyName);
    directory.push({
      ctcId,
      facilityCode: facility,
      givenName: p.givenName,
      familyName,
      nameTokens,
      sex: p.sex,
      birthYear: Number(p.birthDate.slice(0, 4)),
      status: 'active',
    });
    if (patients.length < HELD && f === 0) {
      patients.push({
        ctcId,
        primaryFacility: facility,
        givenName: p.givenName,
        familyName,
        nameTokens,
        phoneDigits: digitsOnly(p.phone),
        sex: p.sex,
        birthDate: p.birthDate as IsoDate,
        status: 'active',
        updatedAt: '2026-01-01T00:00:00.000Z' as IsoDateTime,
      });
    }
  }
  return { directory, patients };
}

/**
 * What a clinician types, one keystroke at a time, by class: names, a CTC ID of the own
 * facility and of another one (wide prefixes such as "1201" match whole facilities), and phone
 * numbers as typed nationally and with the country code (wide: every stored phone has "2557").
 */
const typed: ReadonlyArray<{ kind: string; text: string }> = [
  { kind: 'name', text: 'mwakyusa' },
  { kind: 'name', text: 'zaituni mw' },
  { kind: 'name', text: 'a' },
  { kind: 'name', text: 'amina' },
  { kind: 'ctc', text: '1201-0001-01' },
  { kind: 'ctc', text: '1202 0007' },
  { kind: 'phone', text: '0712345' },
  { kind: 'phone', text: '255 7' },
];
const keystrokes = typed.flatMap(({ kind, text }) =>
  [...text]
    .map((_, i) => text.slice(0, i + 1))
    .filter((q) => q.trim().length > 0)
    .map((query) => ({ kind, query })),
);

/**
 * The baseline: every row of both tables checked, the first 50 matches of each kept in the
 * order read (no ranking, so a cheaper answer than the index gives), as bench/app's scan does.
 */
function linearScan(rows: ReturnType<typeof rowsOf>, query: string): number {
  const parsed = parseQuery(query);
  let found = 0;
  let held = 0;
  for (const row of rows.directory) {
    if (directoryRowMatches(row, parsed) && found < LIMIT) found += 1;
  }
  for (const row of rows.patients) {
    if (patientRowMatches(row, parsed) && held < LIMIT) held += 1;
  }
  return found + held;
}

function indexes(rows: ReturnType<typeof rowsOf>) {
  return {
    directory: createSearchIndex(directoryShape, rows.directory),
    patients: createSearchIndex(patientShape, rows.patients),
  };
}

function time(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const results: Record<string, unknown> = {
  rounds: ROUNDS,
  limit: LIMIT,
  held_patients: HELD,
  keystrokes: keystrokes.length,
  node: process.version,
  cpu_throttle: 1,
};

for (const size of SIZES) {
  const rows = rowsOf(size);
  const options = { ownFacility: OWN_FACILITY };
  const perRound: Array<Record<string, number>> = [];
  const index: number[] = [];
  const scan: number[] = [];
  const build: number[] = [];
  const copy: number[] = [];
  /** Per class of query and per query string, to find which keystrokes make the p95. */
  const byKind: Record<string, { index: number[]; scan: number[] }> = {};
  const byQuery: Record<string, number[]> = {};
  let built = indexes(rows);
  for (let r = 0; r < ROUNDS; r += 1) {
    // Build against a plain copy of the same rows, the order alternating per round.
    const buildFirst = r % 2 === 0;
    const copyOnce = () => ({
      d: rows.directory.map((row) => ({ ...row })),
      p: [...rows.patients],
    });
    if (!buildFirst) copy.push(time(copyOnce));
    build.push(time(() => (built = indexes(rows))));
    if (buildFirst) copy.push(time(copyOnce));
    const roundIndex: number[] = [];
    const roundScan: number[] = [];
    keystrokes.forEach(({ kind, query }, k) => {
      const indexOnce = () => {
        const parsed = parseQuery(query);
        return (
          built.directory.search(parsed, LIMIT, options).length +
          built.patients.search(parsed, LIMIT, options).length
        );
      };
      // Interleaved: each keystroke on both, which goes first alternating.
      if ((k + r) % 2 === 0) {
        roundIndex.push(time(indexOnce));
        roundScan.push(time(() => linearScan(rows, query)));
      } else {
        roundScan.push(time(() => linearScan(rows, query)));
        roundIndex.push(time(indexOnce));
      }
      const ms = roundIndex[roundIndex.length - 1] as number;
      (byKind[kind] ??= { index: [], scan: [] }).index.push(ms);
      byKind[kind].scan.push(roundScan[roundScan.length - 1] as number);
      (byQuery[query] ??= []).push(ms);
    });
    index.push(...roundIndex);
    scan.push(...roundScan);
    perRound.push({
      index_min_ms: round(Math.min(...roundIndex), 3),
      index_p50_ms: round(percentile(roundIndex, 0.5), 3),
      index_p95_ms: round(percentile(roundIndex, 0.95), 3),
      scan_min_ms: round(Math.min(...roundScan), 3),
      scan_p50_ms: round(percentile(roundScan, 0.5), 3),
      scan_p95_ms: round(percentile(roundScan, 0.95), 3),
      build_ms: round(build[r] ?? NaN),
      copy_ms: round(copy[r] ?? NaN),
    });
  }
  const median = (values: number[]) => round(percentile(values, 0.5), 3);
  const min = (values: number[]) => round(Math.min(...values), 3);
  const rowsCount = rows.directory.length + rows.patients.length;
  results[`rows_${size}`] = {
    directory_rows: rows.directory.length,
    patient_rows: rows.patients.length,
    keystroke: {
      p50_ms: median(index),
      p95_ms: round(percentile(index, 0.95), 3),
      baseline_p50_ms: median(scan),
      baseline_p95_ms: round(percentile(scan, 0.95), 3),
      speedup_p50: round(median(scan) / median(index), 1),
      speedup_p95: round(percentile(scan, 0.95) / percentile(index, 0.95), 1),
    },
    build: {
      min_ms: min(build),
      median_ms: median(build),
      baseline_copy_min_ms: min(copy),
      baseline_copy_median_ms: median(copy),
      ratio_median: round(median(build) / median(copy), 2),
      us_per_row: round((median(build) * 1000) / rowsCount, 2),
    },
    by_kind: Object.fromEntries(
      Object.entries(byKind).map(([kind, { index: i, scan: b }]) => [
        kind,
        {
          p50_ms: median(i),
          p95_ms: round(percentile(i, 0.95), 3),
          baseline_p50_ms: median(b),
          baseline_p95_ms: round(percentile(b, 0.95), 3),
        },
      ]),
    ),
    /** The keystrokes slowest at their median over the rounds: what the p95 is made of. */
    slowest: Object.entries(byQuery)
      .map(([query, values]) => ({
        query,
        median_ms: median(values),
        max_ms: round(Math.max(...values), 3),
      }))
      .sort((a, b) => b.median_ms - a.median_ms)
      .slice(0, 8),
    per_round: perRound,
  };
  console.log(`${size} rows`, JSON.stringify(results[`rows_${size}`], null, 1));
}
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${OUT}`);
