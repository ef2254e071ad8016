/**
 * A `Channel` over one reliable, ordered RTCDataChannel, with flow control (T10, T11).
 * - T10: `writable()` resolves while the data channel's `bufferedAmount` is at or below a high-water
 *   mark and nothing waits in the queue here; otherwise on the `bufferedamountlow` event that
 *   brings it back down. A sender that awaits it before each frame keeps the browser's buffer
 *   near the high-water mark (1 MiB), far from the 64 MiB at which Chromium closes the channel.
 * - T11: `send` never hands the browser more than the high-water mark: above it, frames wait in a
 *   queue here that drains on `bufferedamountlow`. That queue is bounded (`maxQueuedBytes`);
 *   a sender that ignores `writable()` and outgrows it gets the channel closed with
 *   `send-overflow` (logged), never a frame silently dropped.
 * - A frame above 16 KiB is refused with an exception (the engine chunks at 16 KiB: a bug).
 */
import { MAX_FRAME_BYTES } from '../limits';
import { ChannelBase } from '../channel-base';
import type { SyncLogger } from '../ports';
import { CloseReason } from '../reasons';

export interface BufferLimits {
  /** Above this many bytes buffered in the data channel, frames queue here instead. */
  readonly highWaterBytes: number;
  /** The queue drains when the data channel's buffer falls to this. */
  readonly lowWaterBytes: number;
  /** Bytes the queue may hold before the channel is closed as overflowing. */
  readonly maxQueuedBytes: number;
}

export const defaultBufferLimits: BufferLimits = {
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
};

export const SEND_OVERFLOW = 'send-overflow';

/** The part of RTCDataChannel used here (lets unit tests drive it without a browser). */
export type DataChannelLike = Pick<
  RTCDataChannel,
  'send' | 'bufferedAmount' | 'bufferedAmountLowThreshold' | 'onbufferedamountlow' | 'readyState'
>;

export class DataChannelPipe extends ChannelBase {
  /** A23: set by the transport; told once the engine has authenticated the peer. */
  onAuthenticated: ((deviceId: string) => void) | undefined;
  private readonly queue: Uint8Array<ArrayBuffer>[] = [];
  private queuedBytes = 0;
  /** Senders awaiting `writable()`. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly dc: DataChannelLike,
    private readonly limits: BufferLimits,
    private readonly logger: SyncLogger,
    private readonly peer: string,
    /** Tears down the peer connection after a local close. */
    private readonly onLocalClose: (reason: string) => void,
  ) {
    super();
    dc.bufferedAmountLowThreshold = limits.lowWaterBytes;
    dc.onbufferedamountlow = () => this.drain();
  }

  authenticated(deviceId: string): void {
    this.onAuthenticated?.(deviceId);
  }

  /** Frames waiting for the data channel's buffer to empty (for tests and status). */
  get queuedFrameCount(): number {
    return this.queue.length;
  }

  /** Frames and bytes waiting here, plus what the browser has buffered (for tests and status). */
  get pendingBytes(): number {
    return this.queuedBytes + this.dc.bufferedAmount;
  }

  override writable(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(frame: Uint8Array): void {
    if (frame.byteLength > MAX_FRAME_BYTES) {
      this.logger.log('warn', 'webrtc_frame_too_large', {
        peer: this.peer,
        bytes: frame.byteLength,
      });
      throw new RangeError(
        `A frame of ${frame.byteLength} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit; chunk it.`,
      );
    }
    if (this.closed) return;
    if (this.queue.length > 0 || this.dc.bufferedAmount > this.limits.highWaterBytes) {
      const copy = frame.slice();
      this.queue.push(copy);
      this.queuedBytes += copy.byteLength;
      if (this.queuedBytes > this.limits.maxQueuedBytes) {
        this.logger.log('warn', 'webrtc_send_overflow', {
          peer: this.peer,
          queuedBytes: this.queuedBytes,
        });
        this.close(SEND_OVERFLOW);
      }
      return;
    }
    // RTCDataChannel.send copies the bytes, so later edits by the caller cannot leak.
    this.transmit(
      frame.buffer instanceof ArrayBuffer ? (frame as Uint8Array<ArrayBuffer>) : frame.slice(),
    );
  }

  close(reason: string): void {
    if (this.closed) return;
    this.fireClose(reason);
    this.onLocalClose(reason);
  }

  /** A close that did not start here (remote close, ICE failure, transport stop) ends here too. */
  protected override releaseResources(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.dc.onbufferedamountlow = null;
    // A closed channel is writable (sends do nothing): nobody may wait forever.
    this.wakeWaiters();
  }

  private hasRoom(): boolean {
    return (
      this.closed ||
      (this.queue.length === 0 && this.dc.bufferedAmount <= this.limits.highWaterBytes)
    );
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private drain(): void {
    while (!this.closed && this.queue.length > 0) {
      if (this.dc.bufferedAmount > this.limits.highWaterBytes) return;
      const frame = this.queue.shift() as Uint8Array<ArrayBuffer>;
      this.queuedBytes -= frame.byteLength;
      this.transmit(frame);
    }
    // Below the high-water mark now: no further `bufferedamountlow` may come, so wake here.
    if (this.hasRoom()) this.wakeWaiters();
  }

  private transmit(frame: Uint8Array<ArrayBuffer>): void {
    try {
      this.dc.send(frame);
    } catch (error) {
      // The channel died under us (state changed before its close event): the frame cannot go.
      this.logger.log('warn', 'webrtc_send_failed', { peer: this.peer, error: String(error) });
      this.close(CloseReason.transportClosed);
    }
  }
}
