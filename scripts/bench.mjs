// `npm run bench`: every benchmark, one after another; each writes bench/results/<name>.json
// with its figures, the baseline measured in the same run, and their ratios.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const benches = [
  { name: 'sync', script: 'bench:sync', needs: 'bench/sync/run.ts' },
  { name: 'storage', script: 'bench:storage', needs: 'bench/storage/run.mjs' },
  { name: 'webrtc', script: 'bench:webrtc', needs: 'bench/webrtc/run.ts' },
];
const only = process.argv.slice(2);
let failed = 0;
for (const bench of benches) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  if (!existsSync(new URL(`../${bench.needs}`, import.meta.url))) continue;
  console.log(`\n== bench: ${bench.name} ==`);
  const run = spawnSync('npm', ['run', '--silent', bench.script], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed += 1;
    console.error(`bench ${bench.name} failed (exit ${run.status})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
