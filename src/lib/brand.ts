/** A nominal type: a string that has passed the check its brand names. */
export type Brand<T, B extends string> = T & { readonly __brand: B };
