import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(
  readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8'),
) as {
  packages: Record<string, { version?: string }>;
};

describe('dependencies', () => {
  it('installs exactly one copy of yjs, 13.6.x (two copies break Yjs constructor checks)', () => {
    const copies = Object.entries(lock.packages).filter(([path]) =>
      /(^|\/)node_modules\/yjs$/.test(path),
    );
    expect(copies.map(([path]) => path)).toEqual(['node_modules/yjs']);
    expect(copies[0]?.[1].version).toMatch(/^13\.6\./);
  });

  it('does not install date-fns (issue 9: src/domain/dates.ts does the day counting)', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })).not.toContain(
      'date-fns',
    );
    expect(
      Object.keys(lock.packages).filter((path) => path.endsWith('node_modules/date-fns')),
    ).toEqual([]);
  });

  it('pins vite to 8.3.8', () => {
    expect(lock.packages['node_modules/vite']?.version).toBe('8.3.8');
  });
});
