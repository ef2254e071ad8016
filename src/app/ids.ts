/** Identifier generation, injected so tests can make ids deterministic. */
export interface IdSource {
  next(): string;
}

export const randomIds: IdSource = { next: () => crypto.randomUUID() };

export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  return { next: () => `${prefix}-${(n += 1).toString().padStart(6, '0')}` };
}
