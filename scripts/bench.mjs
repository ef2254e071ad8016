// `npm run bench`: every benchmark, one after another; each writes bench/results/<name>.json
// with its figures, the baseline measured in the same run, and their ratios. A benchmark whose
// file is missing or that exits non-zero fails the whole run (issue 9 point 7): a skipped bench
// must never look like a passed one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const benches = [
  { name: 'sync', script: 'bench:sync', needs: 'bench/sync/run.ts' },
  { name: 'search', script: 'bench:search', needs: 'bench/search/index-vs-scan.ts' },
  { name: 'storage', script: 'bench:storage', needs: 'bench/storage/run.mjs' },
  { name: 'webrtc', script: 'bench:webrtc', needs: 'bench/webrtc/run.ts' },
  { name: 'app', script: 'bench:app', needs: 'bench/app/run.ts' },
  { name: 'report', script: 'bench:report', needs: 'bench/report/run.ts' },
];
const only = process.argv.slice(2);
const unknown = only.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(
    `bench: unknown benchmark ${unknown.join(', ')} (known: ${benches.map((b) => b.name).join(', ')})`,
  );
  process.exit(2);
}
const failures = [];
for (const bench of benches) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  if (!existsSync(new URL(`../${bench.needs}`, import.meta.url))) {
    failures.push(`${bench.name}: ${bench.needs} is missing`);
    console.error(`bench ${bench.name} is MISSING: ${bench.needs} does not exist`);
    continue;
  }
  console.log(`\n== bench: ${bench.name} ==`);
  const run = spawnSync('npm', ['run', '--silent', bench.script], { stdio: 'inherit' });
  if (run.status !== 0) {
    const why = run.error ? run.error.message : `exit ${run.status ?? run.signal}`;
    failures.push(`${bench.name}: ${why}`);
    console.error(`bench ${bench.name} FAILED (${why})`);
  }
}
if (failures.length > 0) {
  console.error(`\nbench: ${failures.length} benchmark(s) missing or failed:`);
  for (const failure of failures) console.error(`  - ${failure}`);
  process.exit(1);
}
console.log('\nbench: every benchmark ran and passed');
