/**
 * A21: whether a (validated) Yjs update carries nothing: no structs and no deletions. Read-only
 * devices answer with such updates; anything more from them is a write and is refused.
 */
import * as Y from 'yjs';

export function isEmptyUpdate(update: Uint8Array): boolean {
  const decoded = Y.decodeUpdate(update);
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0;
}
