/**
 * FC9: the `sync-step1` asks of one session. At most `max` are unanswered at a time; the rest
 * wait in order and go as answers come back, so a peer that claims many documents gets as many
 * asks as it answers, not as many as it claims. The unanswered ones are what status calls
 * "behind".
 */
import type { DocId } from '../crdt/doc-id';

export class Asks {
  /** Asked and not yet answered. */
  readonly inFlight = new Set<DocId>();
  /** Not yet sent, in order; the value is the *reply* bit. */
  private readonly waiting = new Map<DocId, boolean>();

  constructor(
    private readonly max: number,
    private readonly sendAsk: (docId: DocId, reply: boolean) => void,
  ) {}

  ask(docId: DocId, reply: boolean): void {
    // One in flight already brings the peer's diff; only a *reply* (the peer should ask for
    // ours, H4) is worth a second ask, after the first is answered.
    if (this.inFlight.has(docId) && !reply) return;
    this.waiting.set(docId, reply || (this.waiting.get(docId) ?? false));
    this.sendNext();
  }

  /** The peer answered (data, refused data, or not-held): the next ask may go. */
  answered(docId: DocId): void {
    if (this.inFlight.delete(docId)) this.sendNext();
    else if (this.waiting.get(docId) === false) this.waiting.delete(docId);
  }

  /** The session ended: nothing more will be asked. */
  clear(): void {
    this.waiting.clear();
  }

  private sendNext(): void {
    for (const [docId, reply] of this.waiting) {
      if (this.inFlight.size >= this.max) return;
      if (this.inFlight.has(docId)) continue; // its turn comes when the one in flight is answered
      this.waiting.delete(docId);
      this.inFlight.add(docId);
      this.sendAsk(docId, reply);
    }
  }
}
