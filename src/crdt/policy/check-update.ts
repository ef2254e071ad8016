/**
 * The update policy (docs/protocol.md §15): decides, statically on the incoming bytes and the live
 * document (read-only: nothing is cloned or applied), whether a peer's update may be stored.
 */
import * as Y from 'yjs';
import { counterFromCtcId, facilityOfCtcId, isCtcId } from '../../domain/ctc-id';
import type { CtcId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import {
  ctcIdOfDoc,
  docKind,
  facilityOfRegisterDoc,
  facilityOfReportDoc,
  type DocId,
} from '../doc-id';
import { membershipRoot } from '../membership-store';
import { budgets } from './budgets';
import { rulesFor, sameValue, type KindRules } from './kind-rules';
import {
  createPlaceResolver,
  liveStoreOf,
  placeKey,
  type Place,
  type PlaceResolver,
} from './places';
import { RefusalReason, type UpdateRefusal } from './refusal';
import { scanUpdate, type ScannedUpdate } from './update-reader';

/** What the policy knows about this device, read when an update arrives. */
export interface PolicyContext {
  /** Facilities the network document lists (U26). */
  facilities: ReadonlySet<string>;
  /** This device's serial block and the last counter it issued, when both are known (U27). */
  ownBlock?: { facility: string; slot: number; counter: number };
}

type ValuePlace = Extract<Place, { type: 'value' }>;
type Verdict = Result<void, UpdateRefusal>;

/** What a passing update brings that needs an asynchronous check after (MS3). */
export interface CheckedUpdate {
  /** Membership ops new to this document, by id. */
  membershipOps: { id: string; text: string }[];
}

const refuse = (reason: RefusalReason, detail: string): Result<never, UpdateRefusal> =>
  err({ reason, detail });
const passed: Verdict = ok(undefined);

/** A CTC ID this device's block would issue later, not yet issued (U27). */
function unissued(ctcId: CtcId, context: PolicyContext): boolean {
  const own = context.ownBlock;
  if (!own || facilityOfCtcId(ctcId) !== own.facility) return false;
  const counter = counterFromCtcId(ctcId, own.slot);
  return counter !== undefined && counter > own.counter;
}

/** Items the document holds: the sum of its state vector. */
function stateClocks(live: Y.Doc, resolver: PlaceResolver): number {
  let sum = 0;
  for (const client of liveStoreOf(live).clients.keys()) sum += resolver.liveState(client);
  return sum;
}

/** The live value item at a map place, if any (read without creating root types). */
function liveValue(live: Y.Doc, place: ValuePlace): Y.Item | undefined {
  const root = live.share.get(place.root) as
    (Y.AbstractType<unknown> & { _map: Map<string, Y.Item> }) | undefined;
  if (!root || place.key === null) return undefined;
  let map = root._map;
  if (place.outer !== null) {
    const holder = map.get(place.outer);
    if (!holder || holder.deleted || !(holder.content instanceof Y.ContentType)) return undefined;
    map = (holder.content.type as unknown as { _map: Map<string, Y.Item> })._map;
  }
  const item = map.get(place.key);
  return item && !item.deleted ? item : undefined;
}

function checkStructs(
  scanned: ScannedUpdate,
  live: Y.Doc,
  rules: KindRules,
  resolver: PlaceResolver,
  overwritten: Set<string>,
  checked: CheckedUpdate,
): Verdict {
  const newValues = new Map<string, unknown>();
  for (let index = 0; index < scanned.structs.length; index++) {
    const struct = scanned.structs[index]!;
    if (struct.kind === 'gc' || struct.kind === 'skip') continue;
    const state = resolver.liveState(struct.client);
    if (struct.clock + struct.length <= state) continue;
    const place = resolver.placeOf(index);
    if (!place)
      return refuse(RefusalReason.unresolvable, `parent of ${struct.client}:${struct.clock}`);
    if (place.type === 'gc') continue;
    if (struct.kind === 'deleted') {
      // Overwritten map values travel as deleted items; a deleted entry is a deletion (U7).
      if (place.key === null)
        return refuse(RefusalReason.deletion, `deleted item in ${place.root}`);
      continue;
    }
    if (struct.kind === 'type') {
      const problem = rules.check(place, undefined, true);
      if (problem) return err(problem);
      if (place.key !== null) overwritten.add(placeKey(place));
      continue;
    }
    if (struct.kind !== 'any') {
      return refuse(RefusalReason.unknownKey, `${struct.kind} content in ${place.root}`);
    }
    const values = (struct.values ?? []).slice(Math.max(0, state - struct.clock));
    for (const value of values) {
      const problem = rules.check(place, value, false);
      if (problem) return err(problem);
    }
    if (place.key === null) continue;
    overwritten.add(placeKey(place));
    const once = rules.writeOnce(place);
    if (!once) continue;
    const value = values[values.length - 1];
    const current = liveValue(live, place);
    const currentValue = current?.content.getContent().at(-1) as unknown;
    const key = placeKey(place);
    if (once === 'forward') {
      if (current && typeof currentValue === 'number' && (value as number) < currentValue) {
        return refuse(RefusalReason.overwrite, `${key} moved back`);
      }
      continue;
    }
    const earlier = newValues.has(key) ? newValues.get(key) : currentValue;
    if ((current || newValues.has(key)) && !sameValue(earlier, value)) {
      return refuse(RefusalReason.overwrite, `${key} is write-once`);
    }
    if (rules.kind === 'network' && place.root === membershipRoot && !current) {
      if (!newValues.has(key)) checked.membershipOps.push({ id: place.key, text: value as string });
    }
    newValues.set(key, value);
  }
  return passed;
}

/** Binary search: the first struct in `list` (sorted by clock) that ends after `clock`. */
function firstEndingAfter(scanned: ScannedUpdate, list: readonly number[], clock: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const struct = scanned.structs[list[mid]!]!;
    if (struct.clock + struct.length <= clock) low = mid + 1;
    else high = mid;
  }
  return low;
}

function checkDeletes(
  scanned: ScannedUpdate,
  rules: KindRules,
  resolver: PlaceResolver,
  overwritten: ReadonlySet<string>,
): Verdict {
  const byClient = new Map<number, number[]>();
  scanned.structs.forEach((struct, index) => {
    const list = byClient.get(struct.client) ?? [];
    list.push(index);
    byClient.set(struct.client, list);
  });
  for (const range of scanned.deletes) {
    const end = range.clock + range.length;
    const state = resolver.liveState(range.client);
    if (range.clock < state) {
      const list = resolver.liveStructs(range.client);
      for (let i = Y.findIndexSS(list, range.clock); i < list.length; i++) {
        const struct = list[i]!;
        if (struct.id.clock >= Math.min(end, state)) break;
        // Already deleted or collected: a catch-up diff carries the whole delete set (U8).
        if (!(struct instanceof Y.Item) || struct.deleted) continue;
        const place = resolver.placeOfLive(struct);
        if (place.type === 'gc') continue;
        if (rules.kind === 'network' && place.root === 'settings') {
          return refuse(RefusalReason.settings, `delete in settings`);
        }
        const replaced =
          place.key !== null && rules.overwritable(place) && overwritten.has(placeKey(place));
        if (!replaced) return refuse(RefusalReason.deletion, `delete at ${placeKey(place)}`);
      }
    }
    if (end <= state) continue;
    // The rest deletes structs this update brings: only overwritten map values may be (U7).
    let covered = Math.max(range.clock, state);
    const list = byClient.get(range.client) ?? [];
    for (let at = firstEndingAfter(scanned, list, covered); at < list.length; at++) {
      const index = list[at]!;
      const struct = scanned.structs[index]!;
      if (struct.clock >= end) break;
      if (struct.clock > covered || struct.kind === 'skip') break;
      const place = resolver.placeOf(index);
      if (!place) return refuse(RefusalReason.unresolvable, `delete of ${range.client}:${covered}`);
      if (place.type === 'value' && place.key === null) {
        return refuse(RefusalReason.deletion, `delete in ${place.root}`);
      }
      covered = struct.clock + struct.length;
    }
    // A delete of items nobody has sent yet would wait in Yjs and strike on arrival (U9).
    if (covered < end) return refuse(RefusalReason.unresolvable, `delete of unknown items`);
  }
  return passed;
}

/** U26, U27: whose document this is, before its content is read. */
function checkOwner(
  docId: DocId,
  scanned: ScannedUpdate,
  resolver: PlaceResolver,
  context: PolicyContext,
): Verdict {
  const kind = docKind(docId);
  if (kind === 'network') return passed;
  const ctcId = ctcIdOfDoc(docId);
  const facility = ctcId
    ? facilityOfCtcId(ctcId)
    : ((facilityOfRegisterDoc(docId) ?? facilityOfReportDoc(docId)) as string);
  if (!context.facilities.has(facility)) {
    return refuse(RefusalReason.unknownFacility, `${facility} is not in the network`);
  }
  if (kind === 'report') return passed;
  if (ctcId) {
    return unissued(ctcId, context)
      ? refuse(RefusalReason.unissuedId, `${ctcId} is not issued yet`)
      : passed;
  }
  for (let index = 0; index < scanned.structs.length; index++) {
    const struct = scanned.structs[index]!;
    if (struct.kind === 'gc' || struct.kind === 'skip') continue;
    if (struct.clock + struct.length <= resolver.liveState(struct.client)) continue;
    const place = resolver.placeOf(index);
    if (!place || place.type === 'gc' || place.root !== 'patients') continue;
    const summaryId = place.outer ?? place.key;
    if (isCtcId(summaryId) && unissued(summaryId, context)) {
      return refuse(RefusalReason.unissuedId, `summary of ${summaryId}, not issued yet`);
    }
  }
  return passed;
}

/** Check `update` for `docId` against the live document. Never throws, never writes. */
export function checkUpdate(
  docId: DocId,
  live: Y.Doc,
  update: Uint8Array,
  context: PolicyContext,
): Result<CheckedUpdate, UpdateRefusal> {
  const budget = budgets[docKind(docId)];
  if (update.byteLength > budget.maxUpdateBytes) {
    return refuse(RefusalReason.budget, `${update.byteLength} bytes`);
  }
  const scan = scanUpdate(update, budget);
  if (!scan.ok) {
    // A malformed update is refused too; the session's own strict decoding (E3) comes first.
    return refuse(
      scan.error.type === 'budget' ? RefusalReason.budget : RefusalReason.unresolvable,
      scan.error.detail,
    );
  }
  const scanned = scan.value;
  const resolver = createPlaceResolver(live, scanned.structs);
  let added = 0;
  for (const struct of scanned.structs) {
    if (struct.kind === 'gc' || struct.kind === 'skip') continue;
    const state = resolver.liveState(struct.client);
    added += Math.max(0, struct.clock + struct.length - Math.max(state, struct.clock));
  }
  if (added > 0 && stateClocks(live, resolver) + added > budget.maxDocClocks) {
    return refuse(RefusalReason.budget, `document over ${budget.maxDocClocks} items`);
  }
  const owner = checkOwner(docId, scanned, resolver, context);
  if (!owner.ok) return err(owner.error);
  const rules = rulesFor(docId);
  const overwritten = new Set<string>();
  const checked: CheckedUpdate = { membershipOps: [] };
  const structs = checkStructs(scanned, live, rules, resolver, overwritten, checked);
  if (!structs.ok) return err(structs.error);
  const deletes = checkDeletes(scanned, rules, resolver, overwritten);
  return deletes.ok ? ok(checked) : err(deletes.error);
}
