/**
 * Issue 9 point 7: every figure against its baseline is measured in rounds, interleaved (figure,
 * baseline, baseline, figure, ...), never one run of each in sequence. These helpers summarise
 * the rounds as the results files report them: min and median beside every value.
 */

export interface RoundSummary {
  min: number;
  median: number;
  rounds: number[];
}

const roundTo = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no rounds');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Min and median of the rounds, rounded to `digits` (the rounds as measured, rounded too). */
export function summarise(values: readonly number[], digits = 3): RoundSummary {
  return {
    min: roundTo(Math.min(...values), digits),
    median: roundTo(median(values), digits),
    rounds: values.map((value) => roundTo(value, digits)),
  };
}

/**
 * Runs `a` and `b` for `rounds` rounds, alternating which goes first, so neither always gains
 * from a warmer runtime (or loses to a collector left busy by the other).
 */
export async function interleaved<A, B>(
  rounds: number,
  a: (round: number) => Promise<A> | A,
  b: (round: number) => Promise<B> | B,
): Promise<{ a: A[]; b: B[] }> {
  if (rounds < 1) throw new Error('at least one round');
  const as: A[] = [];
  const bs: B[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      as.push(await a(round));
      bs.push(await b(round));
    } else {
      bs.push(await b(round));
      as.push(await a(round));
    }
  }
  return { a: as, b: bs };
}
