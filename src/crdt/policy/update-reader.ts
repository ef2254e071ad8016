/**
 * A streaming reader of Yjs v1 updates for the update policy (§15). It mirrors Yjs's own
 * `readClientsStructRefs`/`readItemContent` (yjs 13.6) but keeps only what the policy needs and
 * stops as soon as a budget is exceeded, so a hostile update of millions of tiny items costs the
 * budget, never the whole update, before it is refused (U30).
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { err, ok, type Result } from '../../lib/result';

/** Where an item claims to live: a root name, or the item holding its parent type. */
export type ParentRef = { root: string } | { item: Y.ID };

export type ContentKind =
  | 'gc'
  | 'skip'
  | 'deleted'
  | 'json'
  | 'binary'
  | 'string'
  | 'embed'
  | 'format'
  | 'type'
  | 'any'
  | 'doc';

export interface ScannedStruct {
  client: number;
  clock: number;
  length: number;
  kind: ContentKind;
  origin: Y.ID | null;
  rightOrigin: Y.ID | null;
  /** Only when the struct names it (no origin and no right origin). */
  parent: ParentRef | null;
  parentSub: string | null;
  /** Values of `any` content; the type ref (0 array, 1 map, ...) of `type` content. */
  values?: unknown[];
  typeRef?: number;
}

export interface DeleteRange {
  client: number;
  clock: number;
  length: number;
}

export interface ScannedUpdate {
  structs: ScannedStruct[];
  deletes: DeleteRange[];
}

export interface ScanBudget {
  /** Structs (and delete ranges) the update may carry. */
  maxStructs: number;
  /** Clock units (items) the update may add. */
  maxClocks: number;
}

export type ScanError = { type: 'budget'; detail: string } | { type: 'malformed'; detail: string };

const contentKinds: Record<number, ContentKind> = {
  1: 'deleted',
  2: 'json',
  3: 'binary',
  4: 'string',
  5: 'embed',
  6: 'format',
  7: 'type',
  8: 'any',
  9: 'doc',
};

function readContent(
  decoder: Y.UpdateDecoderV1,
  info: number,
): { kind: ContentKind; length: number; values?: unknown[]; typeRef?: number } {
  const kind = contentKinds[info & 0b11111];
  switch (kind) {
    case 'deleted':
      return { kind, length: decoder.readLen() };
    case 'json': {
      const length = decoder.readLen();
      for (let i = 0; i < length; i++) decoder.readString();
      return { kind, length };
    }
    case 'binary':
      decoder.readBuf();
      return { kind, length: 1 };
    case 'string':
      return { kind, length: decoder.readString().length };
    case 'embed':
      decoder.readJSON();
      return { kind, length: 1 };
    case 'format':
      decoder.readKey();
      decoder.readJSON();
      return { kind, length: 1 };
    case 'type': {
      const typeRef = decoder.readTypeRef();
      if (typeRef > 6) throw new Error(`unknown type ref ${typeRef}`);
      // XmlElement (3) and XmlHook (5) carry a name.
      if (typeRef === 3 || typeRef === 5) decoder.readKey();
      return { kind, length: 1, typeRef };
    }
    case 'any': {
      const length = decoder.readLen();
      const values: unknown[] = [];
      for (let i = 0; i < length; i++) values.push(decoder.readAny());
      return { kind, length, values };
    }
    case 'doc':
      decoder.readString();
      decoder.readAny();
      return { kind, length: 1 };
    default:
      throw new Error(`unknown content ref ${info & 0b11111}`);
  }
}

/**
 * Read `update` (Yjs v1) struct by struct. Never throws: a malformed update is an error value,
 * an update over `budget` is refused before the rest of it is read.
 */
export function scanUpdate(
  update: Uint8Array,
  budget: ScanBudget,
  options: { collect?: boolean } = {},
): Result<ScannedUpdate, ScanError> {
  // Counting only (the session's pre-check) keeps nothing: not even the budget's worth of structs.
  const collect = options.collect ?? true;
  let counted = 0;
  const over = (detail: string) => err<ScanError>({ type: 'budget', detail });
  try {
    // A private copy: lib0 checks lengths against the underlying buffer, not the view.
    const decoder = new Y.UpdateDecoderV1(decoding.createDecoder(update.slice()));
    const structs: ScannedStruct[] = [];
    let clocks = 0;
    const clients = decoding.readVarUint(decoder.restDecoder);
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder.restDecoder);
      if (counted + count > budget.maxStructs) {
        return over(`more than ${budget.maxStructs} structs`);
      }
      const client = decoder.readClient();
      let clock = decoding.readVarUint(decoder.restDecoder);
      for (let i = 0; i < count; i++) {
        const info = decoder.readInfo();
        const ref = info & 0b11111;
        let struct: ScannedStruct;
        if (ref === 0 || ref === 10) {
          const length = ref === 0 ? decoder.readLen() : decoding.readVarUint(decoder.restDecoder);
          struct = {
            client,
            clock,
            length,
            kind: ref === 0 ? 'gc' : 'skip',
            origin: null,
            rightOrigin: null,
            parent: null,
            parentSub: null,
          };
        } else {
          const origin = (info & 0x80) === 0x80 ? decoder.readLeftID() : null;
          const rightOrigin = (info & 0x40) === 0x40 ? decoder.readRightID() : null;
          const namesParent = (info & 0xc0) === 0;
          let parent: ParentRef | null = null;
          if (namesParent) {
            parent = decoder.readParentInfo()
              ? { root: decoder.readString() }
              : { item: decoder.readLeftID() };
          }
          const parentSub = namesParent && (info & 0x20) === 0x20 ? decoder.readString() : null;
          const content = readContent(decoder, info);
          struct = { client, clock, origin, rightOrigin, parent, parentSub, ...content };
        }
        if (!Number.isSafeInteger(clock + struct.length) || struct.length < 0) {
          return err({ type: 'malformed', detail: 'struct clock out of range' });
        }
        clock += struct.length;
        if (struct.kind !== 'gc' && struct.kind !== 'skip') clocks += struct.length;
        if (clocks > budget.maxClocks) return over(`more than ${budget.maxClocks} items`);
        counted++;
        if (collect) structs.push(struct);
      }
    }
    const deletes: DeleteRange[] = [];
    const deleteClients = decoding.readVarUint(decoder.restDecoder);
    for (let c = 0; c < deleteClients; c++) {
      decoder.resetDsCurVal();
      const client = decoding.readVarUint(decoder.restDecoder);
      const ranges = decoding.readVarUint(decoder.restDecoder);
      if (counted + ranges > budget.maxStructs) {
        return over(`more than ${budget.maxStructs} structs and delete ranges`);
      }
      for (let i = 0; i < ranges; i++) {
        const clock = decoder.readDsClock();
        const length = decoder.readDsLen();
        counted++;
        if (collect) deletes.push({ client, clock, length });
      }
    }
    return ok({ structs, deletes });
  } catch (error) {
    return err({ type: 'malformed', detail: `undecodable update: ${String(error)}` });
  }
}
