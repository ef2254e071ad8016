/**
 * Rule IDs are defined once across the protocol and its drafts (guide: "rule IDs, unique"), so a
 * test name that cites one points at exactly one rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const docs = join(__dirname, '../../../docs');
const files = [
  join(docs, 'protocol.md'),
  ...readdirSync(join(docs, 'protocol-drafts'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(docs, 'protocol-drafts', f)),
];

describe('rule IDs', () => {
  it('each bold rule ID (e.g. **A12**) is defined in one place only', () => {
    const seen = new Map<string, string[]>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(
        /^\s*-\s+\*\*([A-Z]{1,3}\d{1,3})\*\*/gm,
      )) {
        const id = match[1] as string;
        seen.set(id, [...(seen.get(id) ?? []), file.slice(docs.length + 1)]);
      }
    }
    const repeated = [...seen].filter(([, where]) => where.length > 1);
    expect(repeated).toEqual([]);
    expect(seen.size).toBeGreaterThan(200);
  });
});
