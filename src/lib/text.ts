/**
 * Search keys: lower case with accents and other combining marks removed, so "Zaïtuni",
 * "ZAITUNI" and "zaituni" all find the same patient.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a name, folded, for prefix search on each word. */
export function searchTokens(...parts: readonly (string | undefined)[]): string[] {
  const words = parts.flatMap((part) => (part ? foldForSearch(part).split(' ') : []));
  return [...new Set(words.filter((word) => word.length > 0))];
}

/** Digits only, so "+255 712 345 678" and "0712345678" can be compared by their tail. */
export function digitsOnly(text: string): string {
  return text.replace(/\D+/g, '');
}
