/**
 * The rune bridge to i18next. `t` reads the current language from a `$state`, so any template or
 * `$derived` that calls it re-runs when the language changes.
 */
import i18next from 'i18next';
import type { Language } from '../../domain/types';
import { en } from './en';
import type { MessageKey, MessageParams, Translate } from './keys';

const engine = i18next.createInstance();
void engine.init({
  // English is the fallback and ships with the first screen; Kiswahili is its own chunk,
  // fetched (from the service worker's precache when offline) only when it is chosen.
  resources: { en: { translation: en } },
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

// A plain cache: nothing renders from it directly (a $state change signals arrival).
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const loading = new Map<Language, Promise<void>>([['en', Promise.resolve()]]);

class Locale {
  current = $state<Language>('en');
  /** Bumped when a language's messages arrive, so text shown in the fallback re-renders. */
  loaded = $state(0);

  set(language: Language): void {
    this.current = language;
    if (typeof document !== 'undefined') document.documentElement.lang = language;
    void loadLanguage(language);
  }
}

export const locale = new Locale();

/** Resolves once the language's messages are in; until then `t` shows English. */
export function loadLanguage(language: Language): Promise<void> {
  let pending = loading.get(language);
  if (!pending) {
    pending = import('./sw').then(({ sw }) => {
      engine.addResourceBundle('sw', 'translation', sw);
      locale.loaded += 1;
    });
    // A failed fetch (e.g. offline before the precache finished) may be retried later.
    pending.catch(() => loading.delete(language));
    loading.set(language, pending);
  }
  return pending;
}

export const t: Translate = (key: MessageKey, params?: MessageParams) => {
  void locale.loaded;
  return engine.t(key, { ...params, lng: locale.current });
};
