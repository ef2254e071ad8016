/**
 * The message lookup and its rune bridge. `t` reads the current language from a `$state`, so any
 * template or `$derived` that calls it re-runs when the language changes.
 *
 * Issue 9: this replaced i18next (about 13 KB gzip of the first screen) because the app uses
 * only three of its features, each a few lines here: dotted keys, `{{name}}` interpolation and
 * `key_one` / `key_other` plurals chosen by `count` through `Intl.PluralRules` (docs/decisions/
 * 0007-i18n.md). What i18next did at the edges is kept: a key missing in Kiswahili falls back to
 * English, a key missing in both is shown as the key, a placeholder with no parameter stays as
 * written, and an interpolated value is never interpolated again.
 */
import type { Language } from '../../domain/types';
import { en } from './en';
import type { MessageKey, MessageParams, Translate } from './keys';

// English is the fallback and ships with the first screen; Kiswahili is its own chunk,
// fetched (from the service worker's precache when offline) only when it is chosen.
// A plain cache: nothing renders from it directly (`locale.loaded` signals arrival).
// English starts without the screens' own sections (en-screens.ts), which arrive with them.
type MessageTree = Readonly<Record<string, unknown>>;
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const messages = new Map<Language, MessageTree>([['en', en]]);

/** The language a device starts in before it has a profile. */
export function initialLanguage(): Language {
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('sw')
    ? 'sw'
    : 'en';
}

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
      messages.set('sw', sw);
      locale.loaded += 1;
    });
    // A failed fetch (e.g. offline before the precache finished) may be retried later.
    pending.catch(() => loading.delete(language));
    loading.set(language, pending);
  }
  return pending;
}

/** Adds English sections (the screens' own strings) to what `t` reads. */
export function addEnglishSections(sections: MessageTree): void {
  messages.set('en', { ...messages.get('en'), ...sections });
  locale.loaded += 1;
}

let screenMessages: Promise<void> | undefined;
/**
 * The English strings of the follow-up, report and chart screens: fetched with the first of
 * those screens (screens.ts waits for it), from the precache when offline.
 */
export function loadScreenMessages(): Promise<void> {
  screenMessages ??= import('./en-screens').then(({ enScreens }) => addEnglishSections(enScreens));
  // A failed fetch may be retried by the next screen.
  screenMessages.catch(() => (screenMessages = undefined));
  return screenMessages;
}

// eslint-disable-next-line svelte/prefer-svelte-reactivity
const pluralRules = new Map<Language, Intl.PluralRules>();
function pluralOf(language: Language, count: number): string {
  let rules = pluralRules.get(language);
  if (!rules) pluralRules.set(language, (rules = new Intl.PluralRules(language)));
  return rules.select(count);
}

/** The string at a dotted path, or undefined when the path does not end at a string. */
function lookup(tree: MessageTree | undefined, path: string): string | undefined {
  let node: unknown = tree;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** The language's plural form first (when a numeric `count` is given), then the bare key. */
function resolve(language: Language, key: string, count: unknown): string | undefined {
  const tree = messages.get(language);
  const plural =
    typeof count === 'number' ? lookup(tree, `${key}_${pluralOf(language, count)}`) : undefined;
  return plural ?? lookup(tree, key);
}

const placeholder = /\{\{\s*(\w+)\s*\}\}/g;

/**
 * One pass over the message, so a value containing `{{…}}` is shown as typed. A parameter passed
 * as undefined is shown as nothing; a placeholder with no parameter at all is left as written.
 */
function interpolate(text: string, params: MessageParams | undefined): string {
  if (!params) return text;
  return text.replace(placeholder, (written, name: string) =>
    Object.hasOwn(params, name) ? String(params[name] ?? '') : written,
  );
}

export const t: Translate = (key: MessageKey, params?: MessageParams) => {
  void locale.loaded;
  const language = locale.current;
  const count = params?.count;
  const text =
    resolve(language, key, count) ?? (language === 'en' ? undefined : resolve('en', key, count));
  return text === undefined ? key : interpolate(text, params);
};
