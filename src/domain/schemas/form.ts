/**
 * Raw form values as the UI sends them: strings from inputs ('' meaning empty), numbers as
 * text, booleans from checkboxes, string arrays from multi-selects.
 */

/**
 * Trim every string and drop what is empty, so an optional field left blank is absent from
 * the result rather than stored as '' (a blank and an unknown must not look different).
 * Arrays lose blank and repeated items.
 */
export function normalizeForm(raw: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    // Form input can come from a peer or storage; never let it reach an object's prototype.
    if (key === '__proto__') continue;
    const normalized = normalizeValue(value);
    if (normalized !== undefined) clean[key] = normalized;
  }
  return clean;
}

function normalizeValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (Array.isArray(value)) {
    const items = value
      .map((item: unknown) => (typeof item === 'string' ? item.trim() : item))
      .filter((item) => item !== '' && item !== null && item !== undefined);
    return [...new Set(items)];
  }
  return value;
}

/** Runs of white space inside a value become one space (names typed with a double space). */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ');
}
