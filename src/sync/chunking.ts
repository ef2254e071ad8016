/**
 * F8: reassembles chunked messages. Tolerates duplicated and reordered chunks (a duplicate is
 * ignored), bounds the bytes and the messages held, and hands out a message only once complete,
 * so a truncated message is never acted on.
 */
import { err, ok, type Result } from '../lib/result';
import type { Chunk, DecodeError } from './codec';
import { CloseReason } from './reasons';

interface Assembly {
  count: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
}

export class Reassembler {
  private readonly assemblies = new Map<number, Assembly>();
  /** Ids of messages already completed, so a late duplicate chunk does not start a new one. */
  private readonly completed = new Set<number>();
  private bufferedBytes = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly maxPending: number,
  ) {}

  add(chunk: Chunk): Result<Uint8Array | null, DecodeError> {
    if (this.completed.has(chunk.messageId)) return ok(null);
    let assembly = this.assemblies.get(chunk.messageId);
    if (!assembly) {
      if (this.assemblies.size >= this.maxPending) {
        return err({ reason: CloseReason.flood, detail: 'too many chunked messages at once' });
      }
      assembly = {
        count: chunk.count,
        parts: new Array<Uint8Array | undefined>(chunk.count),
        received: 0,
        bytes: 0,
      };
      this.assemblies.set(chunk.messageId, assembly);
    }
    if (assembly.count !== chunk.count) {
      return err({ reason: CloseReason.malformedFrame, detail: 'chunk count changed' });
    }
    if (assembly.parts[chunk.index]) return ok(null);
    assembly.bytes += chunk.payload.length;
    this.bufferedBytes += chunk.payload.length;
    if (assembly.bytes > this.maxMessageBytes || this.bufferedBytes > this.maxMessageBytes) {
      return err({ reason: CloseReason.tooLarge, detail: 'chunked message above the bound' });
    }
    // Copy: the transport may reuse the frame's buffer after the listener returns.
    assembly.parts[chunk.index] = chunk.payload.slice();
    assembly.received++;
    if (assembly.received < assembly.count) return ok(null);
    this.assemblies.delete(chunk.messageId);
    this.bufferedBytes -= assembly.bytes;
    this.rememberCompleted(chunk.messageId);
    const message = new Uint8Array(assembly.bytes);
    let offset = 0;
    for (const part of assembly.parts) {
      message.set(part as Uint8Array, offset);
      offset += (part as Uint8Array).length;
    }
    return ok(message);
  }

  private rememberCompleted(messageId: number): void {
    this.completed.add(messageId);
    if (this.completed.size > 64) {
      const oldest = this.completed.values().next().value;
      if (oldest !== undefined) this.completed.delete(oldest);
    }
  }
}
