/**
 * Who signed each entry of a record (issue 8 point 5): the author of the stored signed change
 * that carries it. A change is stored only after its signature verified (SC6) or because this
 * device signed it itself, so a signer found here was verified; the patient page shows it beside
 * the entry's stamp, and says when the two disagree (they cannot, for a change that passed WR6).
 */
import * as Y from 'yjs';
import type { DocId } from '../crdt/doc-id';
import type { DocumentStore } from '../crdt/ports';
import { decodeSignedChange } from '../crdt/trust/signed-change';
import type { DeviceId } from '../domain/types';

const entryIdOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, stamp } = value as { id?: unknown; stamp?: unknown };
  return typeof id === 'string' && typeof stamp === 'object' && stamp !== null ? id : undefined;
};

/** Entry id → the device whose signed change brought it. Entries of unsigned data are absent. */
export async function entrySigners(
  store: Pick<DocumentStore, 'loadChanges'>,
  docId: DocId,
): Promise<Map<string, DeviceId>> {
  const signers = new Map<string, DeviceId>();
  for (const stored of await store.loadChanges(docId)) {
    const change = decodeSignedChange(stored.bytes);
    if (!change.ok) continue;
    let structs: ReturnType<typeof Y.decodeUpdate>['structs'];
    try {
      structs = Y.decodeUpdate(change.value.update).structs;
    } catch {
      continue;
    }
    for (const struct of structs) {
      if (!(struct instanceof Y.Item) || struct.deleted) continue;
      for (const value of struct.content.getContent() as unknown[]) {
        const id = entryIdOf(value);
        if (id !== undefined && !signers.has(id)) signers.set(id, change.value.author);
      }
    }
  }
  return signers;
}
