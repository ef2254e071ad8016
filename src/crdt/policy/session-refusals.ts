/**
 * Per-session side of the update policy (docs/protocol.md §15, U31–U36): the cheap pre-check
 * that runs before an update is decoded whole, the session's refusal budget, and which refused
 * documents are worth asking the peer for again (never in a loop).
 */
import { docKind, networkDocId, type DocId } from '../doc-id';
import { budgets, sessionBudget } from './budgets';
import { RefusalReason, type UpdateRefusal } from './refusal';
import { scanUpdate } from './update-reader';

/**
 * U31: the byte and struct budgets of the document's kind, checked by counting structs as they
 * stream by, before anything (Yjs included) allocates the whole update.
 */
export function precheckUpdate(docId: DocId, update: Uint8Array): UpdateRefusal | undefined {
  const budget = budgets[docKind(docId)];
  if (update.byteLength > budget.maxUpdateBytes) {
    return { reason: RefusalReason.budget, detail: `${update.byteLength} bytes` };
  }
  const scan = scanUpdate(update, budget, { collect: false });
  if (!scan.ok && scan.error.type === 'budget') {
    return { reason: RefusalReason.budget, detail: scan.error.detail };
  }
  // A malformed update is left to the session's strict decoding (E3), which closes.
  return undefined;
}

export interface RefusalFollowUp {
  /** Over the session's refusal budget: the session closes (`flood`, E5). */
  flood: boolean;
  /** Ask the peer once for its full diff of this document (U35). */
  askAgain: boolean;
}

const waitsForNetwork = (refusal: UpdateRefusal): boolean =>
  refusal.reason === RefusalReason.unknownFacility ||
  refusal.reason === RefusalReason.unknownAuthor ||
  (refusal.reason === RefusalReason.writeRule && refusal.detail.startsWith('WR8 '));

export class SessionRefusals {
  private count = 0;
  private bytes = 0;
  private readonly askedAgain = new Set<DocId>();
  private readonly awaitingNetwork = new Set<DocId>();

  /** Record a refusal and say what the session does next. */
  refused(docId: DocId, update: Uint8Array, refusal: UpdateRefusal): RefusalFollowUp {
    this.count += 1;
    this.bytes += update.byteLength;
    const flood =
      this.count > sessionBudget.maxRefusals || this.bytes > sessionBudget.maxRefusedBytes;
    // What the network document may soon list: a facility (U36), a newly admitted author, or a
    // user named at setup (WR8); asked again once the network document changes.
    if (waitsForNetwork(refusal)) this.awaitingNetwork.add(docId);
    // U35: a change whose dependency is missing is asked for once, with our state vector, so
    // the peer's answer brings the dependency; a second refusal is left to the next session.
    const askAgain = refusal.reason === RefusalReason.unresolvable && !this.askedAgain.has(docId);
    if (askAgain) this.askedAgain.add(docId);
    return { flood, askAgain };
  }

  /**
   * U36: documents refused for an unknown facility are asked for again once the network
   * document has changed (it may now list the facility); each change re-asks each one once.
   */
  applied(docId: DocId): DocId[] {
    if (docId !== networkDocId || this.awaitingNetwork.size === 0) return [];
    const again = [...this.awaitingNetwork];
    this.awaitingNetwork.clear();
    return again;
  }
}
