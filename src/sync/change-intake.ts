/**
 * What a session checks of each change a peer sent before the host sees it (docs/protocol.md
 * §6 Y3, §15, §23), and the early start of the host's work on a message of changes (SC23). Kept
 * apart from the session so the per-change screening reads on its own.
 */
import type { UpdateRefusal } from '../crdt/policy/refusal';
import { precheckUpdate } from '../crdt/policy/session-refusals';
import type { DocId } from '../crdt/doc-id';
import type { ChangeFormat, IncomingChange, ReplicaHost, SyncLogger } from './ports';
import { validateUpdate } from './validate-update';

export type Screened =
  | { kind: 'accepted'; change: IncomingChange }
  | { kind: 'refused'; refusal: UpdateRefusal }
  /** E3: bytes that do not read as a change at all: the session closes. */
  | { kind: 'invalid'; detail: string };

export interface ScreenContext {
  format: ChangeFormat;
  /** The device the peer proved to be (or claimed, without auth). */
  peerDeviceId: string | undefined;
  /** A21: the peer's role refuses any write of its own (undefined without auth). */
  roleRefusal?: (update: Uint8Array) => UpdateRefusal | undefined;
}

/**
 * One change: over budget (U31, before it is decoded whole) or from a read-only peer writing as
 * itself (A21) is refused; one that does not decode is invalid (E3). A signed change a
 * read-only peer carries for its author is that author's (SC24): the host's write rules judge it.
 */
export function screenChange(docId: DocId, bytes: Uint8Array, context: ScreenContext): Screened {
  const inner = context.format.read(bytes);
  if (!inner.ok) return { kind: 'invalid', detail: `${docId}: ${inner.error}` };
  const overBudget = precheckUpdate(docId, inner.value.update);
  if (overBudget) return { kind: 'refused', refusal: overBudget };
  const valid = validateUpdate(inner.value.update);
  if (!valid.ok) return { kind: 'invalid', detail: `${docId}: ${valid.error}` };
  const author = inner.value.author;
  const asItself = author === undefined || author === context.peerDeviceId;
  const byRole = asItself ? context.roleRefusal?.(valid.value) : undefined;
  if (byRole) return { kind: 'refused', refusal: byRole };
  return { kind: 'accepted', change: { bytes, update: valid.value } };
}

/**
 * SC23: as a message of changes arrives (before it waits in the queue), the host may start
 * verifying their signatures, so checks overlap with the applying of earlier messages. Bounded
 * by the receive window (FC5); a change that does not read is left for the screening to refuse.
 */
export function prepareChanges(
  host: ReplicaHost,
  format: ChangeFormat,
  logger: SyncLogger,
  message: { docId: DocId; changes: readonly Uint8Array[] },
): void {
  if (!host.prepareChanges || message.changes.length === 0) return;
  const incoming: IncomingChange[] = [];
  for (const bytes of message.changes) {
    const read = format.read(bytes);
    if (read.ok) incoming.push({ bytes, update: read.value.update });
  }
  try {
    host.prepareChanges(message.docId, incoming);
  } catch (error) {
    // Only an optimisation: the checks run in order anyway.
    logger.log('debug', 'sync.prepare-failed', { docId: message.docId, error: String(error) });
  }
}
