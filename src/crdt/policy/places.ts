/**
 * Where each struct of an incoming update lands (U3): the root type, the key of a nested map in
 * it, and its own map key, resolved from the update itself and the live document's struct store,
 * read-only (nothing is cloned or applied).
 */
import * as Y from 'yjs';
import type { ScannedStruct } from './update-reader';

/**
 * `gc`: Yjs will garbage-collect the struct on arrival (its neighbour or parent is gone), so its
 * content never shows. `value`: it lives at `root` / `outer` (the key of a nested map in the
 * root map, or null) / `key` (its map key, or null for an array element).
 */
export type Place =
  | { type: 'gc' }
  | { type: 'value'; root: string; outer: string | null; key: string | null; deep?: true };

/** The place of a value kept in the type that lives at `outer`, under `key`. */
function inside(outer: Place, key: string | null): Place {
  if (outer.type === 'gc') return outer;
  return {
    type: 'value',
    root: outer.root,
    outer: outer.key,
    key,
    ...(outer.outer !== null || outer.deep ? { deep: true as const } : {}),
  };
}

type Found =
  | { in: 'update'; struct: ScannedStruct; index: number }
  | { in: 'live'; struct: Y.Item | Y.GC }
  | undefined;

interface LiveStore {
  clients: Map<number, Array<Y.Item | Y.GC>>;
}

export interface PlaceResolver {
  placeOf(index: number): Place | undefined;
  placeOfLive(item: Y.Item): Place;
  /** The live state of a client (next expected clock). */
  liveState(client: number): number;
  liveStructs(client: number): Array<Y.Item | Y.GC>;
}

export function liveStoreOf(doc: Y.Doc): LiveStore {
  return doc.store;
}

export function createPlaceResolver(live: Y.Doc, structs: readonly ScannedStruct[]): PlaceResolver {
  const store = liveStoreOf(live);
  const byClient = new Map<number, number[]>();
  structs.forEach((struct, index) => {
    let list = byClient.get(struct.client);
    if (!list) byClient.set(struct.client, (list = []));
    list.push(index);
  });
  for (const list of byClient.values()) {
    list.sort((a, b) => structs[a]!.clock - structs[b]!.clock);
  }
  const memo = new Map<number, Place | undefined>();
  const resolving = new Set<number>();

  const liveStructs = (client: number) => store.clients.get(client) ?? [];
  const liveState = (client: number) => {
    const list = liveStructs(client);
    const last = list[list.length - 1];
    return last ? last.id.clock + last.length : 0;
  };

  function find(id: Y.ID): Found {
    if (id.clock < liveState(id.client)) {
      const list = liveStructs(id.client);
      return { in: 'live', struct: list[Y.findIndexSS(list, id.clock)]! };
    }
    const list = byClient.get(id.client);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = structs[list[mid]!]!;
      if (id.clock < struct.clock) high = mid - 1;
      else if (id.clock >= struct.clock + struct.length) low = mid + 1;
      else return struct.kind === 'skip' ? undefined : { in: 'update', struct, index: list[mid]! };
    }
    return undefined;
  }

  function placeOfLive(item: Y.Item): Place {
    const parent = item.parent as Y.AbstractType<unknown> | null;
    if (!parent) return { type: 'gc' };
    const holder = parent._item;
    if (holder === null) {
      return { type: 'value', root: Y.findRootTypeKey(parent), outer: null, key: item.parentSub };
    }
    return inside(placeOfLive(holder), item.parentSub);
  }

  function placeOfFound(found: NonNullable<Found>): Place | undefined {
    if (found.in === 'live') {
      return found.struct instanceof Y.Item ? placeOfLive(found.struct) : { type: 'gc' };
    }
    if (found.struct.kind === 'gc') return { type: 'gc' };
    return placeOf(found.index);
  }

  function placeOf(index: number): Place | undefined {
    if (memo.has(index)) return memo.get(index);
    // A cycle of origins cannot be integrated by Yjs either: unresolvable.
    if (resolving.has(index)) return undefined;
    resolving.add(index);
    const place = resolve(structs[index]!);
    resolving.delete(index);
    memo.set(index, place);
    return place;
  }

  function resolve(struct: ScannedStruct): Place | undefined {
    if (struct.kind === 'gc' || struct.kind === 'skip') return { type: 'gc' };
    if (struct.parent && 'root' in struct.parent) {
      return { type: 'value', root: struct.parent.root, outer: null, key: struct.parentSub };
    }
    if (struct.parent) {
      const holder = find(struct.parent.item);
      if (!holder) return undefined;
      const isType =
        holder.in === 'live'
          ? holder.struct instanceof Y.Item && holder.struct.content instanceof Y.ContentType
          : holder.struct.kind === 'type' || holder.struct.kind === 'gc';
      if (holder.in === 'live' && !(holder.struct instanceof Y.Item)) return { type: 'gc' };
      if (!isType) return undefined;
      const outer = placeOfFound(holder);
      return outer && inside(outer, struct.parentSub);
    }
    // No parent written: Yjs takes it from the left neighbour (origin), else the right one; if
    // either neighbour is garbage-collected the struct is garbage-collected too.
    const left = struct.origin ? find(struct.origin) : undefined;
    const right = struct.rightOrigin ? find(struct.rightOrigin) : undefined;
    if ((struct.origin && !left) || (struct.rightOrigin && !right)) return undefined;
    const leftPlace = left ? placeOfFound(left) : undefined;
    const rightPlace = right ? placeOfFound(right) : undefined;
    if ((left && !leftPlace) || (right && !rightPlace)) return undefined;
    if (leftPlace?.type === 'gc' || rightPlace?.type === 'gc') return { type: 'gc' };
    return leftPlace ?? rightPlace;
  }

  return { placeOf, placeOfLive, liveState, liveStructs };
}

export const samePlace = (a: Place, b: Place): boolean =>
  a.type === 'value' &&
  b.type === 'value' &&
  a.root === b.root &&
  a.outer === b.outer &&
  a.key === b.key &&
  !a.deep &&
  !b.deep;

export const placeKey = (place: Place): string =>
  place.type === 'gc' ? 'gc' : JSON.stringify([place.root, place.outer, place.key]);
