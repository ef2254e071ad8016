import type { Language } from '../types';

/** Every label is shown in the user's language, so each one carries both. */
export interface Label {
  en: string;
  sw: string;
}

export interface VocabItem<C extends string | number = string> {
  code: C;
  label: Label;
}

/**
 * A list from a label map keyed by every member of a union, so the compiler refuses a list
 * that forgets a value (or keeps one the union no longer has). Order follows the map.
 */
export function vocabFrom<C extends string>(labels: Record<C, Label>): VocabItem<C>[] {
  return (Object.keys(labels) as C[]).map((code) => ({ code, label: labels[code] }));
}

/**
 * The label of a code in the given language. An unknown code (e.g. written by a peer running
 * a newer vocabulary) is shown as the code itself rather than as nothing.
 */
export function labelOf(
  list: readonly VocabItem<string | number>[],
  code: string | number,
  lang: Language,
): string {
  const item = list.find((entry) => entry.code === code);
  return item ? item.label[lang] : String(code);
}

export function codesOf<C extends string | number>(list: readonly VocabItem<C>[]): C[] {
  return list.map((item) => item.code);
}
