/** `bytes` random bytes from the platform's CSPRNG, as lower-case hex: ids that nobody can guess. */
export const randomHex = (bytes: number): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
