/**
 * The rows an index holds, one slot each, with what search and ranking read of them in plain
 * arrays (the walks are tight loops over integers), and the scopes the keys are kept in: the
 * rows of each facility apart (so the own-facility tier is a walk of its own lists, and the
 * other facilities' rows a merge of theirs).
 */
import { compareText, foldName } from './search';
import { KeyIndex, type VisitCounter } from './search-keys';

/** What the index reads of a row. */
export interface IndexedFields {
  ctcId: string;
  facility: string;
  givenName: string;
  familyName: string;
  nameTokens: readonly string[];
  /** Patients only: found by any run of these digits (search.ts `matchesPhone`). */
  phoneDigits?: string;
}

/** Name words, CTC IDs and (patients) phone suffixes of one facility's rows. */
export interface Scope {
  readonly words: KeyIndex;
  readonly ids: KeyIndex;
  readonly phones: KeyIndex;
}

const NO_KEYS: readonly string[] = [];
/** Name order numbers at a build are this far apart: room for many rows in between. */
const GAP = 1024;

/** Digit queries have at least this many digits (search.ts MIN_DIGIT_QUERY). */
const MIN_DIGITS = 3;

export class Slots<T> {
  readonly rows: Array<T | undefined> = [];
  readonly ids: string[] = [];
  readonly families: string[] = [];
  readonly givens: string[] = [];
  readonly tokens: Array<readonly string[]> = [];
  readonly phones: string[] = [];
  /** Facility of each slot as a small number: the own-facility test is an integer compare. */
  readonly facilities: number[] = [];
  readonly slotOf = new Map<string, number>();
  private readonly free: number[] = [];
  private readonly facilityNumbers = new Map<string, number>();
  /** Names repeat across a district: each distinct spelling is folded once. */
  private readonly folded = new Map<string, string>();

  readonly counter: VisitCounter = { visits: 0 };
  readonly ofFacility = new Map<number, Scope>();

  constructor(private readonly threshold: number) {}

  /**
   * compareByName (search.ts) as one number per slot, so the walks and every sorted list compare
   * integers, not names: `order` grows along `named` (every slot in name order), gaps left
   * between neighbours at a build or a renumbering, a new row taking the middle of its gap.
   */
  private readonly order: number[] = [];
  private readonly named: number[] = [];

  readonly byName = (a: number, b: number): number =>
    (this.order[a] as number) - (this.order[b] as number);

  /** compareByName (search.ts) on two slots, from their folded names. */
  private readonly byNames = (a: number, b: number): number =>
    compareText(this.families[a] as string, this.families[b] as string) ||
    compareText(this.givens[a] as string, this.givens[b] as string) ||
    compareText(this.ids[a] as string, this.ids[b] as string);

  /** Takes the build's name order of every slot. */
  setNameOrder(named: readonly number[]): void {
    this.named.length = 0;
    named.forEach((slot, i) => {
      this.named.push(slot);
      this.order[slot] = i * GAP;
    });
  }

  /** Gives a stored slot its place in name order: the middle of its neighbours' gap. */
  private place(slot: number): void {
    const { named, order } = this;
    let lo = 0;
    let hi = named.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byNames(named[mid] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    named.splice(lo, 0, slot);
    const before = lo > 0 ? (order[named[lo - 1] as number] as number) : -GAP;
    const after =
      lo + 1 < named.length ? (order[named[lo + 1] as number] as number) : before + 2 * GAP;
    const middle = (before + after) / 2;
    if (middle > before && middle < after) order[slot] = middle;
    // The gap is used up (after dozens of rows in one place): renumber, once in a long while.
    else this.setNameOrder(named.slice());
  }

  fold(name: string): string {
    let value = this.folded.get(name);
    if (value === undefined) {
      value = foldName(name);
      this.folded.set(name, value);
    }
    return value;
  }

  facilityNumber(code: string): number {
    let number = this.facilityNumbers.get(code);
    if (number === undefined) {
      number = this.facilityNumbers.size;
      this.facilityNumbers.set(code, number);
    }
    return number;
  }

  /** Whether the slot's searchable fields are these (an update that changes no list). */
  same(slot: number, fields: IndexedFields): boolean {
    return (
      this.fold(fields.familyName) === this.families[slot] &&
      this.fold(fields.givenName) === this.givens[slot] &&
      this.facilityNumber(fields.facility) === this.facilities[slot] &&
      (fields.phoneDigits ?? '') === this.phones[slot] &&
      fields.nameTokens.join(' ') === (this.tokens[slot] as readonly string[]).join(' ')
    );
  }

  store(row: T, fields: IndexedFields): number {
    const slot = this.free.pop() ?? this.rows.length;
    this.rows[slot] = row;
    this.ids[slot] = fields.ctcId;
    this.families[slot] = this.fold(fields.familyName);
    this.givens[slot] = this.fold(fields.givenName);
    this.tokens[slot] = fields.nameTokens;
    this.phones[slot] = fields.phoneDigits ?? '';
    this.facilities[slot] = this.facilityNumber(fields.facility);
    this.slotOf.set(fields.ctcId, slot);
    return slot;
  }

  /** Stores a row arriving after the build, in its place in name order. */
  add(row: T, fields: IndexedFields): number {
    const slot = this.store(row, fields);
    this.place(slot);
    return slot;
  }

  release(slot: number): void {
    const { named } = this;
    let lo = 0;
    let hi = named.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byName(named[mid] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (named[lo] === slot) named.splice(lo, 1);
    this.slotOf.delete(this.ids[slot] as string);
    this.rows[slot] = undefined;
    this.free.push(slot);
  }

  scope(): Scope {
    const options = { byName: this.byName, threshold: this.threshold, counter: this.counter };
    return {
      words: new KeyIndex({ ...options, keysOf: this.wordKeys, minPrefix: 1 }),
      ids: new KeyIndex({ ...options, keysOf: this.idKeys, minPrefix: MIN_DIGITS }),
      phones: new KeyIndex({ ...options, keysOf: this.phoneKeys, minPrefix: MIN_DIGITS }),
    };
  }

  facilityScope(slot: number): Scope {
    const number = this.facilities[slot] as number;
    let scope = this.ofFacility.get(number);
    if (!scope) {
      scope = this.scope();
      this.ofFacility.set(number, scope);
    }
    return scope;
  }

  /** The name words, each once (a name rarely repeats one). */
  readonly wordKeys = (slot: number): readonly string[] => {
    const tokens = this.tokens[slot] as readonly string[];
    for (let i = 1; i < tokens.length; i += 1) {
      for (let j = 0; j < i; j += 1) if (tokens[i] === tokens[j]) return [...new Set(tokens)];
    }
    return tokens;
  };

  readonly idKeys = (slot: number): readonly string[] => [this.ids[slot] as string];

  /**
   * Every suffix of the phone digits long enough to be asked for: a run of digits anywhere is
   * the start of one.
   */
  readonly phoneKeys = (slot: number): readonly string[] => {
    const phone = this.phones[slot] as string;
    if (phone.length < MIN_DIGITS) return NO_KEYS;
    const keys: string[] = [];
    for (let i = 0; i + MIN_DIGITS <= phone.length; i += 1) keys.push(phone.slice(i));
    return keys;
  };
}
