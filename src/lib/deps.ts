/** Injected clock, so tests control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Injected randomness, so tests can use a fixed seed. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/** Mulberry32: small, fast, good enough for seeded test schedules (not for cryptography). */
export function createSeededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
