/**
 * Common spellings of the same given name in Tanzanian registers (Swahili adds a final vowel to
 * Arabic names, "kh" is often written "h"), folded as search.ts folds. A whole query word that is
 * one of them also finds the others; a prefix ("moha") does not expand, so typing stays a prefix
 * search. Kept small on purpose: a wrong pair here would merge two different people's names.
 */
const groups: readonly (readonly string[])[] = [
  ['mohamed', 'mohammed', 'muhammad', 'mohammad', 'mohamedi', 'muhamedi', 'mohamad'],
  ['ally', 'ali', 'alli'],
  ['hamisi', 'hamis', 'khamis', 'khamisi'],
  ['hadija', 'khadija', 'hadijah', 'khadijah'],
  ['fatuma', 'fatma', 'fatima'],
  ['zainabu', 'zainab', 'zaynab'],
  ['yusufu', 'yusuf', 'yussuf'],
  ['ibrahimu', 'ibrahim'],
  ['ramadhani', 'ramadhan', 'ramadan'],
  ['athumani', 'athuman', 'othman', 'othmani'],
  ['hassani', 'hassan', 'hasani', 'hasan'],
  ['abdallah', 'abdalla', 'abdullah', 'abdula'],
  ['mwanaisha', 'mwanaysha'],
  ['asha', 'aisha', 'aysha'],
  ['salimu', 'salim'],
  ['issa', 'isa'],
  ['musa', 'mussa'],
];

const groupOf = new Map<string, readonly string[]>();
for (const group of groups) for (const spelling of group) groupOf.set(spelling, group);

/** The other spellings of a whole word, or none. */
export function variantsOf(word: string): readonly string[] {
  return groupOf.get(word) ?? [];
}

/** Whether a name word is another spelling of the whole query word. */
export function isVariant(word: string, token: string): boolean {
  const group = groupOf.get(word);
  return group !== undefined && token !== word && group.includes(token);
}
