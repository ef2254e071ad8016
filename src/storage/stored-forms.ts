/**
 * Stored forms of updates and signed changes (issue 9 point 5, docs/decisions/0023): what the
 * Dexie store writes is smaller than what it is given, and reads back byte for byte.
 *
 * - A signed write's update is the tail of its envelope (SC2), so the `updates` row refers to
 *   the change instead of holding the same bytes again.
 * - Compaction packs the live changes it read into one deflated row: the field names a visit
 *   repeats compress away. A change's id (its signature, base64url) and reach (from its update)
 *   are left out when they can be derived from its bytes, and kept when they cannot.
 * Compression is only for these cold rows, never on the save path.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { CoalescedRun, StoredChange } from '../crdt/ports';
import { reachOf } from '../crdt/trust/change-signer';
import { toB64url } from '../crdt/trust/encoding';
import { decodeSignedChange } from '../crdt/trust/signed-change';

async function throughStream(
  bytes: Uint8Array,
  stream: GenericTransformStream,
): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Raw deflate (RFC 1951), native in browsers and Node 20: no dependency. */
export const deflate = (bytes: Uint8Array) =>
  throughStream(bytes, new CompressionStream('deflate-raw'));
export const inflate = (bytes: Uint8Array) =>
  throughStream(bytes, new DecompressionStream('deflate-raw'));

/** Whether `update` is the trailing bytes of `envelope` (a signed change holds its update last). */
export function isTailOf(update: Uint8Array, envelope: Uint8Array): boolean {
  const offset = envelope.byteLength - update.byteLength;
  if (offset < 0) return false;
  for (let i = 0; i < update.byteLength; i += 1) {
    if (envelope[offset + i] !== update[i]) return false;
  }
  return true;
}

/** The id and reach a change's bytes imply, when they are a signed envelope. */
function derived(bytes: Uint8Array): { id: string; reach: Uint8Array } | undefined {
  const decoded = decodeSignedChange(bytes);
  if (!decoded.ok) return undefined;
  try {
    return { id: toB64url(decoded.value.signature), reach: reachOf(decoded.value.update) };
  } catch {
    return undefined;
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);

const explicitId = 1;
const explicitReach = 2;

/** Several changes as one uncompressed byte string (deflate it to store it). */
export function packChanges(changes: readonly StoredChange[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, changes.length);
  for (const change of changes) {
    const implied = derived(change.bytes);
    const flags =
      (implied?.id === change.id ? 0 : explicitId) |
      (implied && sameBytes(implied.reach, change.reach) ? 0 : explicitReach);
    encoding.writeUint8(encoder, flags);
    if (flags & explicitId) encoding.writeVarString(encoder, change.id);
    if (flags & explicitReach) encoding.writeVarUint8Array(encoder, change.reach);
    encoding.writeVarUint8Array(encoder, change.bytes);
  }
  return encoding.toUint8Array(encoder);
}

/** The changes `packChanges` was given, in order, byte for byte. */
export function unpackChanges(packed: Uint8Array): StoredChange[] {
  const decoder = decoding.createDecoder(packed);
  const count = decoding.readVarUint(decoder);
  const changes: StoredChange[] = [];
  for (let i = 0; i < count; i += 1) {
    const flags = decoding.readUint8(decoder);
    const id = flags & explicitId ? decoding.readVarString(decoder) : undefined;
    const reach = flags & explicitReach ? decoding.readVarUint8Array(decoder) : undefined;
    const bytes = decoding.readVarUint8Array(decoder).slice();
    const implied = id === undefined || reach === undefined ? derived(bytes) : undefined;
    const changeId = id ?? implied?.id;
    const changeReach = reach ?? implied?.reach;
    if (changeId === undefined || changeReach === undefined) {
      throw new Error('a packed change lost its id or reach');
    }
    changes.push({ id: changeId, bytes, reach: changeReach.slice() });
  }
  return changes;
}

/** The update a signed change carries: the last `length` bytes of its envelope. */
export function tailOf(envelope: Uint8Array, length: number): Uint8Array {
  return envelope.slice(envelope.byteLength - length);
}

/**
 * ST1: the changes to pack once the author's runs are replaced, each with its update's length.
 * A run that is not a consecutive stretch of `live` (as the store read it) is ignored.
 */
export function applyRuns(
  live: readonly StoredChange[],
  runs: readonly CoalescedRun[],
  tailOfChange: (change: StoredChange) => number | undefined,
): Array<{ change: StoredChange; tail: number | undefined }> {
  const out: Array<{ change: StoredChange; tail: number | undefined }> = [];
  const byFirst = new Map(runs.map((run) => [run.replaces[0], run]));
  for (let i = 0; i < live.length; i += 1) {
    const run = byFirst.get(live[i]!.id);
    const fits =
      run && run.replaces.length >= 2 && run.replaces.every((id, k) => live[i + k]?.id === id);
    if (run && fits) {
      out.push({ change: run.change, tail: run.updateLength });
      i += run.replaces.length - 1;
    } else {
      out.push({ change: live[i]!, tail: tailOfChange(live[i]!) });
    }
  }
  return out;
}
