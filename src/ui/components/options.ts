import type { VocabItem } from '../../domain/vocab/label';
import type { Language } from '../../domain/types';

export interface Option {
  value: string;
  label: string;
}

export interface OptionGroup {
  label: string;
  options: Option[];
}

export function optionsOf(list: readonly VocabItem<string | number>[], lang: Language): Option[] {
  return list.map((item) => ({ value: String(item.code), label: item.label[lang] }));
}
