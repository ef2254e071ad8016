import type { Messages } from './en';

/** Plural forms are stored as `key_one` / `key_other` and asked for as `key` with a count. */
type PluralBase<K extends string> = K extends `${infer Base}_${'one' | 'other'}` ? Base : never;

type Paths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string
    ? `${Prefix}${K}` | PluralBase<`${Prefix}${K}`>
    : Paths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every key `t()` accepts, so a typo in a screen is a compile error. */
export type MessageKey = Paths<Messages>;

export type MessageParams = Record<string, string | number | undefined>;

export type Translate = (key: MessageKey, params?: MessageParams) => string;
