/**
 * SC22: the changes of one document in messages of bounded size. Each change costs its bytes and
 * its length prefix (a varuint, at most 5 bytes here); one change larger than the bound goes
 * alone. A catch-up's last message is its `sync-step2`, so the asker knows the answer is whole.
 */
import type { DocId } from '../crdt/doc-id';
import type { Message } from './codec';

const lengthPrefixBytes = 5;

export function batchChanges(
  last: 'sync-step2' | 'update',
  docId: DocId,
  changes: readonly Uint8Array[],
  maxBytes: number,
): Message[] {
  const messages: Message[] = [];
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for (const change of changes) {
    const cost = change.length + lengthPrefixBytes;
    if (batch.length > 0 && bytes + cost > maxBytes) {
      messages.push({ kind: 'update', docId, changes: batch });
      batch = [];
      bytes = 0;
    }
    batch.push(change);
    bytes += cost;
  }
  messages.push({ kind: last, docId, changes: batch });
  return messages;
}
