/**
 * Issue 9 point 7: the benchmark READMEs quote only figures from the committed results. Every
 * number in a "Last run" sentence (from "Last run" to the end of its paragraph) must equal a
 * numeric value of the section's results file, rounded to as many decimals as it is printed
 * with ("1.026" matches 1.0255 or 1.026, "589,278" only 589278). Dates and numbers that are part
 * of a name (SC23, Ed25519, 1r-A) are not figures and are skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Which results file each README section's "Last run" sentences quote. */
const checked: Array<{ readme: string; section: string | null; results: string }> = [
  { readme: 'bench/README.md', section: 'Sync', results: 'bench/results/sync.json' },
  { readme: 'bench/README.md', section: 'WebRTC', results: 'bench/results/webrtc.json' },
  { readme: 'bench/README.md', section: 'App', results: 'bench/results/app.json' },
  { readme: 'bench/README.md', section: 'Report', results: 'bench/results/report.json' },
  { readme: 'bench/storage/README.md', section: null, results: 'bench/results/storage.json' },
];

/** The text of `## <section>` up to the next `## ` heading (the whole file for null). */
export function sectionOf(markdown: string, section: string | null): string {
  if (section === null) return markdown;
  const start = markdown.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`no section "${section}"`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** Each "Last run" sentence: from "Last run" to the end of its paragraph. */
export function lastRunSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const at = paragraph.search(/\*{0,2}Last run/);
    if (at >= 0) out.push(paragraph.slice(at).replace(/\s+/g, ' '));
  }
  return out;
}

/** The figures a sentence quotes, as printed (thousands separators removed). */
export function quotedFigures(sentence: string): Array<{ printed: string; value: number }> {
  const withoutDates = sentence.replace(/\b\d{4}-\d{2}-\d{2}\b/g, ' ');
  const figures: Array<{ printed: string; value: number }> = [];
  for (const match of withoutDates.matchAll(
    /(?<![\w.-])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.-])\d+(?:\.\d+)?(?![\w-])/g,
  )) {
    const printed = match[0];
    figures.push({ printed, value: Number(printed.replace(/,/g, '')) });
  }
  return figures;
}

export function numbersIn(json: unknown, into: number[] = []): number[] {
  if (typeof json === 'number') into.push(json);
  else if (Array.isArray(json)) for (const item of json) numbersIn(item, into);
  else if (json && typeof json === 'object')
    for (const v of Object.values(json)) numbersIn(v, into);
  return into;
}

/** True when some value, rounded to the printed decimals, is the printed figure. */
export function isQuotedFrom(printed: string, values: readonly number[]): boolean {
  const decimals = printed.includes('.') ? printed.length - printed.indexOf('.') - 1 : 0;
  const target = Number(printed.replace(/,/g, ''));
  return values.some((v) => Number(v.toFixed(decimals)) === target);
}

describe('benchmark READMEs quote their committed results', () => {
  it('parses figures as printed, and finds a figure only when the results hold it', () => {
    const figures = quotedFigures('Last run (5,000 docs, SC23, 2026-12-03): 1.026 × vs 589,278.');
    expect(figures.map((f) => f.printed)).toEqual(['5,000', '1.026', '589,278']);
    expect(isQuotedFrom('1.026', [1.026])).toBe(true);
    expect(isQuotedFrom('589,278', [589278])).toBe(true);
    expect(isQuotedFrom('589,278', [589279])).toBe(false);
    expect(isQuotedFrom('42', [42.4])).toBe(true);
    expect(isQuotedFrom('42.0', [42.4])).toBe(false);
  });

  for (const { readme, section, results } of checked) {
    it(`every "Last run" figure of ${readme}${section ? ` (${section})` : ''} is in ${results}`, () => {
      const sentences = lastRunSentences(sectionOf(read(readme), section));
      expect(sentences.length).toBeGreaterThan(0);
      const values = numbersIn(JSON.parse(read(results)));
      const missing = sentences.flatMap((sentence) =>
        quotedFigures(sentence)
          .filter((figure) => !isQuotedFrom(figure.printed, values))
          .map((figure) => `${figure.printed} in "${sentence.slice(0, 80)}…"`),
      );
      expect(missing).toEqual([]);
    });
  }
});
