/**
 * Size and item-count budgets (docs/protocol.md §15, U30–U33), per document kind. A legitimate
 * update stays far below them; a hostile one is refused before Yjs allocates its items.
 */
import type { DocKind } from '../doc-id';

export interface KindBudget {
  /** Bytes of one update. */
  maxUpdateBytes: number;
  /** Structs plus delete ranges in one update (what decoding allocates). */
  maxStructs: number;
  /** Items (clock units) one update may add. */
  maxClocks: number;
  /** Items the document may hold in total after the update (its state-vector sum). */
  maxDocClocks: number;
}

const MiB = 1024 * 1024;

export const budgets: Record<DocKind, KindBudget> = {
  // A patient of 50 years of monthly visits holds ~2,000 entries and a few hundred map values.
  patient: {
    maxUpdateBytes: 4 * MiB,
    maxStructs: 50_000,
    maxClocks: 50_000,
    maxDocClocks: 200_000,
  },
  // A full catch-up of a 50,000-patient register: ~10 items per summary plus their history.
  register: {
    maxUpdateBytes: 32 * MiB,
    maxStructs: 1_000_000,
    maxClocks: 1_000_000,
    maxDocClocks: 8_000_000,
  },
  // RP6: a month's figures are ~3 KB; a catch-up of decades of months, each replaced at most
  // once a minute while a clinic saves (two months per run), stays far below these.
  report: {
    maxUpdateBytes: 1 * MiB,
    maxStructs: 20_000,
    maxClocks: 20_000,
    maxDocClocks: 10_000_000,
  },
  // Facilities, devices and users of a district: thousands, not millions.
  network: {
    maxUpdateBytes: 4 * MiB,
    maxStructs: 50_000,
    maxClocks: 50_000,
    maxDocClocks: 500_000,
  },
};

/** Per session (U33): refused updates and refused bytes before the peer is cut off (`flood`). */
export const sessionBudget = {
  maxRefusals: 4096,
  maxRefusedBytes: 64 * MiB,
};
