/**
 * H1: what a device wants. Every device wants the network document, every register and every
 * facility's report document (counts only, so a supervisor or another facility sees every
 * facility's figures: RP7); a
 * device wants its own facility's patients and the patients it holds beyond those (its extras);
 * a relay wants everything. Both ends of a session evaluate the same rule, so they agree on the
 * set of documents to reconcile without listing them.
 */
import { ctcIdOfDoc, docKind, type DocId } from '../crdt/doc-id';

export interface InterestPolicy {
  relay: boolean;
  /** 8-digit facility code, or '' for a device without one. */
  facility: string;
  /** Patient docs held outside the facility. */
  extras: ReadonlySet<DocId>;
}

export function wants(policy: InterestPolicy, docId: DocId): boolean {
  if (policy.relay) return true;
  const kind = docKind(docId);
  if (kind !== 'patient') return true;
  if (policy.facility !== '' && ctcIdOfDoc(docId)?.startsWith(policy.facility)) return true;
  return policy.extras.has(docId);
}

/** The extras a device announces: its held patient docs that its facility rule does not cover. */
export function extrasOf(holdings: Iterable<DocId>, facility: string, relay: boolean): DocId[] {
  if (relay) return [];
  const base: InterestPolicy = { relay: false, facility, extras: new Set() };
  const extras: DocId[] = [];
  for (const id of holdings) if (!wants(base, id)) extras.push(id);
  return extras.sort();
}
