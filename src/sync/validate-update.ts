/**
 * E3: a Yjs update from a peer is parsed completely before anything is applied, so a malformed
 * one is refused whole instead of half-applied.
 */
import { decodeUpdateOnce } from '../crdt/decoded-updates';
import { err, ok, type Result } from '../lib/result';

export function validateUpdate(update: Uint8Array): Result<Uint8Array, string> {
  // A private copy: lib0's reader checks lengths against the underlying buffer, not the view,
  // so a view into a larger frame could read bytes that are not part of the update.
  const own = update.slice();
  try {
    // Remembered for the duplicate test the repository runs on the same bytes (D12).
    const decoded = decodeUpdateOnce(own);
    for (const struct of decoded.structs) {
      if (!Number.isSafeInteger(struct.id.clock + struct.length) || struct.length < 0) {
        return err('struct clock out of range');
      }
    }
    return ok(own);
  } catch (error) {
    return err(`undecodable update: ${String(error)}`);
  }
}
