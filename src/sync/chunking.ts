/**
 * F8: reassembles chunked messages. Tolerates duplicated and reordered chunks (a duplicate is
 * ignored), bounds the bytes and the messages held, and hands out a message only once complete,
 * so a truncated message is never acted on.
 *
 * The bytes held are bounded twice: per session (one message at most `maxMessageBytes`, at most
 * `maxPending` messages) and per device, by one `AssemblyBudget` that every session of an engine
 * shares, so many sessions each holding an unfinished message cannot add up (F8). An unfinished
 * message that gets no chunk for `timeoutMs` is dropped and its budget returned.
 */
import { err, ok, type Result } from '../lib/result';
import type { Chunk, DecodeError } from './codec';
import type { Timers } from './ports';
import { CloseReason } from './reasons';

/** F8: what all sessions of one engine may hold in unfinished chunked messages together. */
export class AssemblyBudget {
  bytes = 0;
  messages = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxMessages: number,
  ) {}
}

export interface ReassemblerOptions {
  maxMessageBytes: number;
  /** Unfinished messages per session. */
  maxPending: number;
  budget: AssemblyBudget;
  timers: Timers;
  timeoutMs: number;
  /** Told when an unfinished message timed out (after its memory was released). */
  onTimeout(messageId: number): void;
}

interface Assembly {
  count: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  timer: unknown;
}

export class Reassembler {
  private readonly assemblies = new Map<number, Assembly>();
  /** Ids of messages already completed, so a late duplicate chunk does not start a new one. */
  private readonly completed = new Set<number>();

  constructor(private readonly options: ReassemblerOptions) {}

  /** Bytes held by this session's unfinished messages. */
  get heldBytes(): number {
    let total = 0;
    for (const assembly of this.assemblies.values()) total += assembly.bytes;
    return total;
  }

  add(chunk: Chunk): Result<Uint8Array | null, DecodeError> {
    const { budget, maxPending, maxMessageBytes } = this.options;
    if (this.completed.has(chunk.messageId)) return ok(null);
    let assembly = this.assemblies.get(chunk.messageId);
    if (!assembly) {
      if (this.assemblies.size >= maxPending) {
        return err({ reason: CloseReason.flood, detail: 'too many chunked messages at once' });
      }
      if (budget.messages >= budget.maxMessages) {
        return err({ reason: CloseReason.flood, detail: 'device-wide chunked message budget' });
      }
      assembly = {
        count: chunk.count,
        parts: new Array<Uint8Array | undefined>(chunk.count),
        received: 0,
        bytes: 0,
        timer: undefined,
      };
      budget.messages++;
      this.assemblies.set(chunk.messageId, assembly);
    }
    if (assembly.count !== chunk.count) {
      return err({ reason: CloseReason.malformedFrame, detail: 'chunk count changed' });
    }
    if (assembly.parts[chunk.index]) return ok(null);
    if (assembly.bytes + chunk.payload.length > maxMessageBytes) {
      return err({ reason: CloseReason.tooLarge, detail: 'chunked message above the bound' });
    }
    if (budget.bytes + chunk.payload.length > budget.maxBytes) {
      return err({ reason: CloseReason.flood, detail: 'device-wide chunk memory budget' });
    }
    assembly.bytes += chunk.payload.length;
    budget.bytes += chunk.payload.length;
    // Copy: the transport may reuse the frame's buffer after the listener returns.
    assembly.parts[chunk.index] = chunk.payload.slice();
    assembly.received++;
    this.armTimeout(chunk.messageId, assembly);
    if (assembly.received < assembly.count) return ok(null);
    this.release(chunk.messageId, assembly);
    this.rememberCompleted(chunk.messageId);
    const message = new Uint8Array(assembly.bytes);
    let offset = 0;
    for (const part of assembly.parts) {
      message.set(part as Uint8Array, offset);
      offset += (part as Uint8Array).length;
    }
    return ok(message);
  }

  /** Drops every unfinished message and returns its budget (the session ended). */
  dispose(): void {
    for (const [messageId, assembly] of [...this.assemblies]) this.release(messageId, assembly);
  }

  private armTimeout(messageId: number, assembly: Assembly): void {
    const { timers, timeoutMs } = this.options;
    timers.clearTimeout(assembly.timer);
    assembly.timer = timers.setTimeout(() => {
      if (this.assemblies.get(messageId) !== assembly) return;
      this.release(messageId, assembly);
      this.options.onTimeout(messageId);
    }, timeoutMs);
  }

  private release(messageId: number, assembly: Assembly): void {
    if (this.assemblies.get(messageId) !== assembly) return;
    this.options.timers.clearTimeout(assembly.timer);
    this.assemblies.delete(messageId);
    this.options.budget.bytes -= assembly.bytes;
    this.options.budget.messages--;
  }

  private rememberCompleted(messageId: number): void {
    this.completed.add(messageId);
    if (this.completed.size > 64) {
      const oldest = this.completed.values().next().value;
      if (oldest !== undefined) this.completed.delete(oldest);
    }
  }
}
