/**
 * (key, slot) pairs sorted by key and then by name: the part of a key index (search-keys.ts)
 * whose keys start alike. An index keeps one per leading character or two, so placing a key
 * moves the entries of its part only (a held patient's dozen phone suffixes are spliced into
 * parts of a few thousand entries, not one array of every suffix of every phone).
 */
import { compareText } from './search';

export class Entries {
  readonly keys: string[] = [];
  readonly slots: number[] = [];

  constructor(private readonly byName: (a: number, b: number) => number) {}

  get length(): number {
    return this.keys.length;
  }

  /** First entry whose key is not before `key` (and, with `slot`, not before it by name). */
  lower(key: string, slot?: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order =
        compareText(this.keys[mid] as string, key) ||
        (slot === undefined ? 0 : this.byName(this.slots[mid] as number, slot));
      if (order < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First entry at or after `from` whose key fails `test` (true up to some point, then false). */
  end(from: number, test: (key: string) => boolean): number {
    let lo = from;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(this.keys[mid] as string)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entries whose key starts with `prefix`. */
  range(prefix: string): [number, number] {
    const from = this.lower(prefix);
    return [from, this.end(from, (key) => key.startsWith(prefix))];
  }

  /** The entries whose key is `key`: its slots in name order. */
  exact(key: string): [number, number] {
    const from = this.lower(key);
    return [from, this.end(from, (other) => other === key)];
  }

  /** The distinct slots of entries [from, to), in name order. */
  distinct(from: number, to: number): number[] {
    return [...new Set(this.slots.slice(from, to))].sort(this.byName);
  }

  push(key: string, slot: number): void {
    this.keys.push(key);
    this.slots.push(slot);
  }

  insert(key: string, slot: number): void {
    const at = this.lower(key, slot);
    this.keys.splice(at, 0, key);
    this.slots.splice(at, 0, slot);
  }

  /** Removes the entry; the slot's name must still be the one it was inserted with. */
  remove(key: string, slot: number): void {
    const at = this.lower(key, slot);
    if (this.slots[at] === slot && this.keys[at] === key) {
      this.keys.splice(at, 1);
      this.slots.splice(at, 1);
    }
  }
}
