/**
 * Flow control of the data-channel pipe (T10, T11) against a fake RTCDataChannel whose buffer
 * the test drains by hand, firing `bufferedamountlow` the way the browser does (when the amount
 * falls to the threshold from above).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/sync/ports';
import {
  DataChannelPipe,
  SEND_OVERFLOW,
  type BufferLimits,
  type DataChannelLike,
} from '../../../src/sync/webrtc/data-channel';

const KiB = 1024;
const limits: BufferLimits = {
  highWaterBytes: 64 * KiB,
  lowWaterBytes: 16 * KiB,
  maxQueuedBytes: 256 * KiB,
};

class FakeDataChannel implements DataChannelLike {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onbufferedamountlow: ((this: RTCDataChannel, ev: Event) => unknown) | null = null;
  readonly delivered: Uint8Array[] = [];
  private readonly buffer: Uint8Array[] = [];
  maxBuffered = 0;

  send(data: unknown): void {
    const frame = new Uint8Array(data as ArrayBuffer | Uint8Array).slice();
    this.buffer.push(frame);
    this.bufferedAmount += frame.byteLength;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }

  /** The network takes `bytes` off the buffer (whole frames). */
  drain(bytes: number): void {
    const before = this.bufferedAmount;
    let taken = 0;
    while (this.buffer.length > 0 && taken < bytes) {
      const frame = this.buffer.shift() as Uint8Array;
      taken += frame.byteLength;
      this.bufferedAmount -= frame.byteLength;
      this.delivered.push(frame);
    }
    const threshold = this.bufferedAmountLowThreshold;
    if (before > threshold && this.bufferedAmount <= threshold) {
      this.onbufferedamountlow?.call(
        this as unknown as RTCDataChannel,
        new Event('bufferedamountlow'),
      );
    }
  }
}

const frame = (i: number) => new Uint8Array(16 * KiB).fill(i & 0xff);
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function pipe(dc: FakeDataChannel, closes: string[] = []) {
  return new DataChannelPipe(dc, limits, silentLogger, 'peer', (reason) => closes.push(reason));
}

describe('data-channel flow control', () => {
  it('T10 writable() waits while the buffer is above the high-water mark and resolves on bufferedamountlow', async () => {
    const dc = new FakeDataChannel();
    const channel = pipe(dc);
    for (let i = 0; i < 5; i++) channel.send(frame(i)); // 80 KiB: above the 64 KiB mark
    let writable = false;
    void channel.writable().then(() => (writable = true));
    await flush();
    expect(writable).toBe(false);
    dc.drain(64 * KiB); // down to 16 KiB: the browser fires bufferedamountlow
    await flush();
    expect(writable).toBe(true);
  });

  it('T10 a sender that awaits writable() sends 4 MiB intact with the buffer never past the mark plus one frame', async () => {
    const dc = new FakeDataChannel();
    const channel = pipe(dc);
    const frames = 256;
    const sending = (async () => {
      for (let i = 0; i < frames; i++) {
        await channel.writable();
        channel.send(frame(i));
      }
    })();
    for (let round = 0; round < 10_000 && dc.delivered.length < frames; round++) {
      await flush();
      dc.drain(24 * KiB);
    }
    await sending;
    expect(dc.delivered.map((f) => f[0])).toEqual(
      Array.from({ length: frames }, (_, i) => i & 0xff),
    );
    expect(dc.maxBuffered).toBeLessThanOrEqual(limits.highWaterBytes + 16 * KiB);
    expect(channel.queuedFrameCount).toBe(0);
  });

  it('T10 writable() resolves at once on a closed channel, and a waiting sender is woken by the close', async () => {
    const dc = new FakeDataChannel();
    const channel = pipe(dc);
    for (let i = 0; i < 5; i++) channel.send(frame(i));
    const waiting = channel.writable();
    channel.fireClose('transport-closed');
    await expect(waiting).resolves.toBeUndefined();
    await expect(channel.writable()).resolves.toBeUndefined();
  });

  it('T11 a sender that ignores writable() is not silently dropped: past the bound the channel closes with send-overflow', () => {
    const dc = new FakeDataChannel();
    const closes: string[] = [];
    const channel = pipe(dc, closes);
    for (let i = 0; i < 40 && !channel.closed; i++) channel.send(frame(i));
    expect(closes).toEqual([SEND_OVERFLOW]);
    expect(dc.bufferedAmount).toBeLessThanOrEqual(limits.highWaterBytes + 16 * KiB);
  });
});
