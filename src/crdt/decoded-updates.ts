/**
 * One decode of a peer's update for every check that needs its structs (issue 9 point 4). The
 * session's well-formedness check (E3) decodes each incoming update whole; the duplicate test
 * (D12) needs the same structs a moment later. Kept per bytes object, weakly, so the decoded form
 * lives exactly as long as the update it was read from.
 */
import * as Y from 'yjs';

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

const decoded = new WeakMap<Uint8Array, DecodedUpdate>();

/** `Y.decodeUpdate`, remembered for these bytes. Throws as it does on malformed input. */
export function decodeUpdateOnce(update: Uint8Array): DecodedUpdate {
  const known = decoded.get(update);
  if (known) {
    hits += 1;
    return known;
  }
  misses += 1;
  const fresh = Y.decodeUpdate(update);
  decoded.set(update, fresh);
  return fresh;
}

let hits = 0;
let misses = 0;
/** Test and benchmark hook: how often a decode was reused. */
export const decodeCounts = () => ({ hits, misses });
