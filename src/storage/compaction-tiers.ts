/**
 * Which stored updates of a document a compaction merges (issue 9: no write may cost time
 * proportional to the size of a register).
 *
 * Merging every row at each compaction rewrites the whole document each time: a register of
 * 10,000 patients is a 3 MB update, over a second of work on a slow phone, for a change of one
 * summary. Instead the rows form size tiers, as in a log-structured merge tree: only the newest
 * run of rows is merged, and an older row joins that run only when it is at most twice what is
 * being merged with it. Then each row is more than twice the next newer one, so a document keeps
 * O(log n) rows; a byte is rewritten only when the row holding it grows by half or more, so O(log
 * n) times over the document's life; and a compaction after a few small writes reads and writes
 * only those few small rows, never the base.
 */

/** An older row joins the merge when it is at most this many times the run merged so far. */
const JOIN_RATIO = 2;

/** The rows [from, sizes.length) to merge into one, or undefined when no merge is worth it. */
export function tailToMerge(sizes: readonly number[]): { from: number } | undefined {
  const last = sizes.length - 1;
  if (last < 1) return undefined;
  let run = sizes[last] ?? 0;
  let from = last;
  while (from > 0) {
    const older = sizes[from - 1] ?? 0;
    if (older > JOIN_RATIO * run) break;
    run += older;
    from -= 1;
  }
  return last - from >= 1 ? { from } : undefined;
}
