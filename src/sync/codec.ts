/**
 * Messages and frames, byte for byte as docs/protocol.md §1–2 describes them. Decoding is strict
 * and total: any input yields a message or a `DecodeError`, never an exception.
 */
import * as encoding from 'lib0/encoding';
import { isDocId, type DocId } from '../crdt/doc-id';
import { err, ok, type Result } from '../lib/result';
import { CloseReason } from './reasons';
import { ReadError, Reader } from './reader';
import { MAX_AUTH_MESSAGE_BYTES } from './auth/auth-codec';
import { MAX_ENROLMENT_BYTES, MAX_MEMBERSHIP_BYTES } from './limits';
import {
  CHUNK_PAYLOAD_BYTES,
  FINGERPRINT_BYTES,
  ITEM_DIGEST_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
} from './limits';

export const MessageKind = {
  hello: 0x01,
  interest: 0x02,
  reconcile: 0x03,
  credit: 0x04,
  /** A2 (auth.md): a peer-authentication challenge or proof, before the hello. */
  auth: 0x05,
  /** A24: a newcomer's enrolment (its invite redemption), before its challenge. */
  enrol: 0x06,
  /** A25: the membership history sent back to a newcomer that was admitted. */
  membership: 0x07,
  syncStep1: 0x10,
  syncStep2: 0x11,
  update: 0x12,
  request: 0x13,
  notHeld: 0x14,
  chunk: 0x20,
  close: 0x7f,
} as const;

export interface Hello {
  kind: 'hello';
  deviceId: string;
  /** Empty for a device without a facility (e.g. a relay box). */
  facility: string;
  relay: boolean;
  /** Random per session; breaks the tie between two tabs of one device (S4). */
  nonce: number;
  /** K1: the sender's wall clock when it sent the hello, epoch milliseconds. */
  clockMs: number;
  /** FC1: the receive window the sender grants: messages and bytes of credited messages. */
  windowMessages: number;
  windowBytes: number;
  /** H2: how many extras the sender declares in all: this hello's batch plus interest batches. */
  extrasTotal: number;
  /** Patient docs held beyond the facility's own (H1): the first batch. Sorted, unique. */
  extras: DocId[];
}

export type RangeMode =
  | { type: 'skip' }
  | { type: 'fingerprint'; fingerprint: Uint8Array; count: number }
  | { type: 'list'; items: { docId: DocId; digest: Uint8Array }[] };

/** `upper === null` is the end of the id space; a range's lower bound is the previous upper. */
export interface WireRange {
  upper: string | null;
  mode: RangeMode;
}

export type Message =
  | Hello
  | { kind: 'interest'; added: DocId[] }
  | { kind: 'reconcile'; ranges: WireRange[] }
  | { kind: 'credit'; messages: number; bytes: number }
  /** A2: the auth exchange's own bytes (auth-codec.ts), opaque to this layer. */
  | { kind: 'auth'; payload: Uint8Array }
  | { kind: 'enrol'; payload: Uint8Array }
  | { kind: 'membership'; payload: Uint8Array }
  | { kind: 'sync-step1'; docId: DocId; stateVector: Uint8Array; reply: boolean }
  /** SC14: the changes of a doc the asker lacks (possibly none), each as the host sends it. */
  | { kind: 'sync-step2'; docId: DocId; changes: Uint8Array[] }
  | { kind: 'update'; docId: DocId; changes: Uint8Array[] }
  /** Q1, AL1: `user` is who is signed in on the asking device ('' for nobody), for the log. */
  | { kind: 'request'; docId: DocId; stateVector: Uint8Array; user: string }
  | { kind: 'not-held'; docId: DocId }
  | { kind: 'close'; reason: string };

export interface Chunk {
  messageId: number;
  index: number;
  count: number;
  payload: Uint8Array;
}

export interface DecodeError {
  reason: CloseReason;
  detail: string;
}

export interface DecodeBounds {
  maxMessageBytes: number;
  maxIdsPerMessage: number;
  maxRanges: number;
}

const deviceIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const facilityPattern = /^(?:\d{8})?$/;
/** Range bounds are prefixes of doc ids: printable ASCII only. */
const boundPattern = /^[\x21-\x7e]{1,32}$/;
const MAX_DOC_ID_BYTES = 32;
/** AL1: the asking user's name, as the access log keeps it. */
const MAX_USER_BYTES = 128;

// ---------------------------------------------------------------- encoding

function writeDocId(encoder: encoding.Encoder, docId: DocId): void {
  encoding.writeVarString(encoder, docId);
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** F5: a string as (shared prefix with the previous one + 1, suffix); tag 0 is "end of space". */
function writePrefixed(encoder: encoding.Encoder, value: string | null, previous: string): void {
  if (value === null) {
    encoding.writeVarUint(encoder, 0);
    return;
  }
  const shared = sharedPrefix(previous, value);
  encoding.writeVarUint(encoder, shared + 1);
  encoding.writeVarString(encoder, value.slice(shared));
}

export function encodeMessage(message: Message): Uint8Array {
  const e = encoding.createEncoder();
  switch (message.kind) {
    case 'hello': {
      encoding.writeUint8(e, MessageKind.hello);
      encoding.writeVarString(e, message.deviceId);
      encoding.writeVarString(e, message.facility);
      encoding.writeUint8(e, message.relay ? 1 : 0);
      encoding.writeVarUint(e, message.nonce >>> 0);
      encoding.writeVarUint(e, Math.max(0, Math.floor(message.clockMs)));
      encoding.writeVarUint(e, message.windowMessages);
      encoding.writeVarUint(e, message.windowBytes);
      encoding.writeVarUint(e, message.extrasTotal);
      writeDocIdList(e, message.extras);
      break;
    }
    case 'interest':
      encoding.writeUint8(e, MessageKind.interest);
      writeDocIdList(e, message.added);
      break;
    case 'reconcile': {
      encoding.writeUint8(e, MessageKind.reconcile);
      encoding.writeVarUint(e, message.ranges.length);
      let previous = '';
      for (const range of message.ranges) {
        writePrefixed(e, range.upper, previous);
        if (range.upper !== null) previous = range.upper;
        writeRangeMode(e, range.mode);
      }
      break;
    }
    case 'credit':
      encoding.writeUint8(e, MessageKind.credit);
      encoding.writeVarUint(e, message.messages);
      encoding.writeVarUint(e, message.bytes);
      break;
    case 'auth':
    case 'enrol':
    case 'membership':
      encoding.writeUint8(e, MessageKind[message.kind]);
      encoding.writeVarUint8Array(e, message.payload);
      break;
    case 'sync-step1':
      encoding.writeUint8(e, MessageKind.syncStep1);
      writeDocId(e, message.docId);
      encoding.writeUint8(e, message.reply ? 1 : 0);
      encoding.writeVarUint8Array(e, message.stateVector);
      break;
    case 'sync-step2':
    case 'update':
      encoding.writeUint8(
        e,
        message.kind === 'update' ? MessageKind.update : MessageKind.syncStep2,
      );
      writeDocId(e, message.docId);
      encoding.writeVarUint(e, message.changes.length);
      for (const change of message.changes) encoding.writeVarUint8Array(e, change);
      break;
    case 'request':
      encoding.writeUint8(e, MessageKind.request);
      writeDocId(e, message.docId);
      encoding.writeVarUint8Array(e, message.stateVector);
      encoding.writeVarString(e, message.user);
      break;
    case 'not-held':
      encoding.writeUint8(e, MessageKind.notHeld);
      writeDocId(e, message.docId);
      break;
    case 'close':
      encoding.writeUint8(e, MessageKind.close);
      encoding.writeVarString(e, message.reason.slice(0, 64));
      break;
  }
  return encoding.toUint8Array(e);
}

function writeDocIdList(e: encoding.Encoder, ids: readonly DocId[]): void {
  encoding.writeVarUint(e, ids.length);
  let previous = '';
  for (const id of ids) {
    writePrefixed(e, id, previous);
    previous = id;
  }
}

function writeRangeMode(e: encoding.Encoder, mode: RangeMode): void {
  switch (mode.type) {
    case 'skip':
      encoding.writeUint8(e, 0);
      break;
    case 'fingerprint':
      encoding.writeUint8(e, 1);
      encoding.writeVarUint(e, mode.count);
      encoding.writeUint8Array(e, mode.fingerprint);
      break;
    case 'list': {
      encoding.writeUint8(e, 2);
      encoding.writeVarUint(e, mode.items.length);
      let previous = '';
      for (const item of mode.items) {
        writePrefixed(e, item.docId, previous);
        previous = item.docId;
        encoding.writeUint8Array(e, item.digest);
      }
      break;
    }
  }
}

/**
 * F6/F7: the frames that carry one encoded message, each at most `MAX_FRAME_BYTES`.
 * `messageId` is only used (and should be advanced by the caller) when chunking.
 */
export function messageToFrames(encoded: Uint8Array, messageId: number): Uint8Array[] {
  return [...messageFrames(encoded, messageId)];
}

/** The same frames one at a time, so a sender holds one frame beside the message, not all. */
export function* messageFrames(encoded: Uint8Array, messageId: number): Generator<Uint8Array> {
  if (encoded.length + 1 <= MAX_FRAME_BYTES) {
    const frame = new Uint8Array(encoded.length + 1);
    frame[0] = PROTOCOL_VERSION;
    frame.set(encoded, 1);
    yield frame;
    return;
  }
  const count = Math.ceil(encoded.length / CHUNK_PAYLOAD_BYTES);
  for (let index = 0; index < count; index++) {
    const e = encoding.createEncoder();
    encoding.writeUint8(e, PROTOCOL_VERSION);
    encoding.writeUint8(e, MessageKind.chunk);
    encoding.writeVarUint(e, messageId >>> 0);
    encoding.writeVarUint(e, index);
    encoding.writeVarUint(e, count);
    encoding.writeUint8Array(
      e,
      encoded.subarray(index * CHUNK_PAYLOAD_BYTES, (index + 1) * CHUNK_PAYLOAD_BYTES),
    );
    yield encoding.toUint8Array(e);
  }
}

// ---------------------------------------------------------------- decoding

class ProtocolViolation extends Error {
  constructor(
    readonly reason: CloseReason,
    detail: string,
  ) {
    super(detail);
  }
}

function readDocId(r: Reader): DocId {
  const value = r.varString(MAX_DOC_ID_BYTES);
  if (!isDocId(value)) throw new ProtocolViolation(CloseReason.invalidDocId, `bad doc id`);
  return value;
}

function readPrefixed(r: Reader, previous: string): string | null {
  const tag = r.varUint(MAX_DOC_ID_BYTES + 1);
  if (tag === 0) return null;
  const shared = tag - 1;
  if (shared > previous.length) throw new ReadError('prefix longer than previous value');
  return previous.slice(0, shared) + r.varString(MAX_DOC_ID_BYTES);
}

function readDocIdList(r: Reader, max: number): DocId[] {
  const count = r.varUint();
  if (count > max) throw new ProtocolViolation(CloseReason.flood, `${count} doc ids declared`);
  // Each id takes at least two bytes, so a count the frame cannot hold is rejected before looping.
  if (count * 2 > r.remaining) throw new ReadError('list longer than message');
  const ids: DocId[] = [];
  let previous = '';
  for (let i = 0; i < count; i++) {
    const id = readPrefixed(r, previous);
    if (id === null || !isDocId(id)) {
      throw new ProtocolViolation(CloseReason.invalidDocId, 'bad doc id in list');
    }
    if (i > 0 && id <= previous) throw new ReadError('doc id list not strictly ascending');
    ids.push(id);
    previous = id;
  }
  return ids;
}

function readRanges(r: Reader, maxRanges: number): WireRange[] {
  const count = r.varUint(maxRanges);
  if (count === 0) throw new ReadError('reconcile without ranges');
  const ranges: WireRange[] = [];
  let previous = '';
  for (let i = 0; i < count; i++) {
    const upper = readPrefixed(r, previous);
    const last = i === count - 1;
    if ((upper === null) !== last) throw new ReadError('only the last range may end the space');
    if (upper !== null) {
      if (!boundPattern.test(upper)) throw new ReadError('bad range bound');
      if (i > 0 && upper <= previous) throw new ReadError('range bounds not ascending');
    }
    const lower = previous;
    const mode = readRangeMode(r, lower, upper);
    ranges.push({ upper, mode });
    if (upper !== null) previous = upper;
  }
  return ranges;
}

function readRangeMode(r: Reader, lower: string, upper: string | null): RangeMode {
  const type = r.u8();
  if (type === 0) return { type: 'skip' };
  if (type === 1) {
    const count = r.varUint();
    return { type: 'fingerprint', count, fingerprint: r.bytesOf(FINGERPRINT_BYTES) };
  }
  if (type === 2) {
    const n = r.varUint();
    if (n * (2 + ITEM_DIGEST_BYTES) > r.remaining) throw new ReadError('list longer than message');
    const items: { docId: DocId; digest: Uint8Array }[] = [];
    let previous = '';
    for (let i = 0; i < n; i++) {
      const id = readPrefixed(r, previous);
      if (id === null || !isDocId(id)) {
        throw new ProtocolViolation(CloseReason.invalidDocId, 'bad doc id in range list');
      }
      if (i > 0 && id <= previous) throw new ReadError('range list not ascending');
      if (id < lower || (upper !== null && id >= upper)) {
        throw new ReadError('range list item outside its range');
      }
      items.push({ docId: id, digest: r.bytesOf(ITEM_DIGEST_BYTES) });
      previous = id;
    }
    return { type: 'list', items };
  }
  throw new ReadError(`unknown range mode ${type}`);
}

/** Decodes a complete message: kind byte then body, nothing after. */
export function decodeMessage(
  bytes: Uint8Array,
  bounds: DecodeBounds,
): Result<Message, DecodeError> {
  const r = new Reader(bytes);
  try {
    const message = readMessageBody(r, r.u8(), bounds);
    r.end();
    return ok(message);
  } catch (error) {
    return err(toDecodeError(error));
  }
}

/** SC14: a count, then each change; a change is at least 2 bytes (an empty Yjs update). */
function readChanges(r: Reader, maxPayload: number): Uint8Array[] {
  const count = r.varUint(Math.floor(maxPayload / 3));
  const changes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const change = r.varBytes(maxPayload);
    if (change.length < 2) throw new ReadError('empty change');
    changes.push(change);
  }
  return changes;
}

function readMessageBody(r: Reader, kind: number, bounds: DecodeBounds): Message {
  const maxPayload = bounds.maxMessageBytes;
  switch (kind) {
    case MessageKind.hello: {
      const deviceId = r.varString(64);
      if (!deviceIdPattern.test(deviceId)) throw new ReadError('bad device id');
      const facility = r.varString(8);
      if (!facilityPattern.test(facility)) throw new ReadError('bad facility code');
      const flags = r.u8();
      if (flags > 1) throw new ReadError('unknown hello flags');
      const nonce = r.varUint();
      const clockMs = r.varUint(Number.MAX_SAFE_INTEGER);
      const windowMessages = r.varUint();
      const windowBytes = r.varUint();
      const extrasTotal = r.varUint();
      const extras = readDocIdList(r, bounds.maxIdsPerMessage);
      if (extras.length > extrasTotal) throw new ReadError('more extras than declared');
      if (extras.some((id) => !id.startsWith('patient:'))) {
        throw new ReadError('extras must be patient documents');
      }
      return {
        kind: 'hello',
        deviceId,
        facility,
        relay: flags === 1,
        nonce,
        clockMs,
        windowMessages,
        windowBytes,
        extrasTotal,
        extras,
      };
    }
    case MessageKind.interest: {
      const added = readDocIdList(r, bounds.maxIdsPerMessage);
      if (added.some((id) => !id.startsWith('patient:'))) {
        throw new ReadError('interest must name patient documents');
      }
      return { kind: 'interest', added };
    }
    case MessageKind.reconcile:
      return { kind: 'reconcile', ranges: readRanges(r, bounds.maxRanges) };
    case MessageKind.credit:
      return { kind: 'credit', messages: r.varUint(), bytes: r.varUint() };
    case MessageKind.auth:
      return { kind: 'auth', payload: r.varBytes(MAX_AUTH_MESSAGE_BYTES) };
    case MessageKind.enrol:
      return { kind: 'enrol', payload: r.varBytes(MAX_ENROLMENT_BYTES) };
    case MessageKind.membership:
      return { kind: 'membership', payload: r.varBytes(MAX_MEMBERSHIP_BYTES) };
    case MessageKind.syncStep1: {
      const docId = readDocId(r);
      const flags = r.u8();
      if (flags > 1) throw new ReadError('unknown step1 flags');
      return { kind: 'sync-step1', docId, reply: flags === 1, stateVector: r.varBytes(maxPayload) };
    }
    case MessageKind.syncStep2:
      return { kind: 'sync-step2', docId: readDocId(r), changes: readChanges(r, maxPayload) };
    case MessageKind.update:
      return { kind: 'update', docId: readDocId(r), changes: readChanges(r, maxPayload) };
    case MessageKind.request:
      return {
        kind: 'request',
        docId: readDocId(r),
        stateVector: r.varBytes(maxPayload),
        user: r.varString(MAX_USER_BYTES),
      };
    case MessageKind.notHeld:
      return { kind: 'not-held', docId: readDocId(r) };
    case MessageKind.close:
      return { kind: 'close', reason: r.varString(64) };
    default:
      throw new ReadError(`unknown message kind ${kind}`);
  }
}

export type Frame = { type: 'message'; bytes: Uint8Array } | { type: 'chunk'; chunk: Chunk };

/**
 * F1–F3, F7: checks the frame envelope. A whole message is returned undecoded (as kind + body)
 * so chunked and unchunked messages take the same path afterwards.
 */
export function decodeFrame(
  frame: Uint8Array,
  maxMessageBytes: number,
): Result<Frame, DecodeError> {
  if (frame.length > MAX_FRAME_BYTES) {
    return err({ reason: CloseReason.tooLarge, detail: `frame of ${frame.length} bytes` });
  }
  if (frame.length < 2) return err({ reason: CloseReason.malformedFrame, detail: 'short frame' });
  if (frame[0] !== PROTOCOL_VERSION) {
    return err({ reason: CloseReason.unsupportedVersion, detail: `version ${frame[0]}` });
  }
  if (frame[1] !== MessageKind.chunk) return ok({ type: 'message', bytes: frame.subarray(1) });
  const r = new Reader(frame.subarray(2));
  try {
    const messageId = r.varUint();
    const index = r.varUint();
    const count = r.varUint(Math.ceil(maxMessageBytes / CHUNK_PAYLOAD_BYTES));
    if (count < 2 || index >= count) throw new ReadError('bad chunk index or count');
    const payload = r.rest();
    if (payload.length === 0) throw new ReadError('empty chunk');
    return ok({ type: 'chunk', chunk: { messageId, index, count, payload } });
  } catch (error) {
    return err(toDecodeError(error));
  }
}

function toDecodeError(error: unknown): DecodeError {
  if (error instanceof ProtocolViolation) return { reason: error.reason, detail: error.message };
  if (error instanceof ReadError)
    return { reason: CloseReason.malformedFrame, detail: error.message };
  // Anything else is a bug in this module, but peer input must still not escape as a throw.
  return { reason: CloseReason.malformedFrame, detail: `decoder failure: ${String(error)}` };
}
