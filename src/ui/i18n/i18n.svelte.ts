/**
 * The rune bridge to i18next. `t` reads the current language from a `$state`, so any template or
 * `$derived` that calls it re-runs when the language changes.
 */
import i18next from 'i18next';
import type { Language } from '../../domain/types';
import { en } from './en';
import { sw } from './sw';
import type { MessageKey, MessageParams, Translate } from './keys';

const engine = i18next.createInstance();
void engine.init({
  resources: { en: { translation: en }, sw: { translation: sw } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
  // Svelte escapes text when it renders; escaping here would show `&amp;` to the user.
  interpolation: { escapeValue: false },
});

/** The language a device starts in before it has a profile. */
export function initialLanguage(): Language {
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('sw')
    ? 'sw'
    : 'en';
}

class Locale {
  current = $state<Language>('en');

  set(language: Language): void {
    this.current = language;
    if (typeof document !== 'undefined') document.documentElement.lang = language;
  }
}

export const locale = new Locale();

export const t: Translate = (key: MessageKey, params?: MessageParams) =>
  engine.t(key, { ...params, lng: locale.current });
