/**
 * What a session sends, in order, at the pace the peer and the channel allow (§16). Items are
 * whole messages or *producers* that build a message only when its turn comes (FC10), so a
 * catch-up of many documents holds one encoded diff at a time, not all of them. Before a credited
 * message goes out the sender waits for window (FC3); before each frame it waits for the channel
 * (`writable()`, FC8). Uncredited control messages (hello, credit, close) go out at once, beside
 * the queue, because waiting for credit to send credit could deadlock two senders.
 */
import { encodeMessage, messageFrames, type Message } from './codec';
import { isCredited, type SendWindow } from './flow-control';
import type { Channel } from './ports';

/**
 * Builds a message when it is its turn (or several, sent in order: a catch-up split in batches,
 * SC22); null when there is nothing to send after all.
 */
export type Producer = () => Promise<Message | readonly Message[] | null>;

export interface OutboxHooks {
  /** A frame went to the channel. */
  sent(bytes: number): void;
  /** Sending or producing failed: the session should close. */
  failed(error: unknown, sending: boolean): void;
}

export class Outbox {
  private items: (Message | Producer | undefined)[] = [];
  private head = 0;
  private running = false;
  private stopped = false;
  private nextMessageId = 0;
  /** Working (producing or handing frames over), as opposed to idle or waiting on the peer. */
  private busy = false;
  private settledWaiters: (() => void)[] = [];

  constructor(
    private readonly channel: Channel,
    private readonly window: SendWindow,
    private readonly hooks: OutboxHooks,
  ) {}

  /** Items waiting (not yet handed to the channel). */
  get waiting(): number {
    return this.items.length - this.head;
  }

  push(item: Message | Producer): void {
    if (this.stopped) return;
    this.items.push(item);
    if (!this.running) void this.run();
  }

  /** FC2: an uncredited message, sent now, ahead of anything queued. */
  sendNow(message: Message): void {
    if (this.stopped) return;
    for (const frame of this.framesOf(message)) if (!this.write(frame)) return;
  }

  /**
   * Resolves once the queue is empty or waits on the peer (window or channel), so a test's
   * "everything is quiet" check also covers diffs being produced from storage.
   */
  settled(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    if (!busy) for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  stop(): void {
    this.stopped = true;
    this.items = [];
    this.head = 0;
    this.window.cancel();
  }

  private *framesOf(message: Message): Generator<Uint8Array> {
    const frames = messageFrames(encodeMessage(message), this.nextMessageId);
    this.nextMessageId = (this.nextMessageId + 1) >>> 0;
    yield* frames;
  }

  private write(frame: Uint8Array): boolean {
    try {
      this.channel.send(frame);
    } catch (error) {
      // The port forbids throwing, but a browser data channel throws when it is closing.
      this.hooks.failed(error, true);
      return false;
    }
    this.hooks.sent(frame.length);
    return true;
  }

  private take(): Message | Producer | undefined {
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** FC8; counts as waiting on the peer only when the channel does not resolve at once. */
  private async whenWritable(): Promise<void> {
    let ready = false;
    const writable = this.channel.writable().then(() => {
      ready = true;
    });
    await Promise.resolve();
    if (ready) return;
    this.setBusy(false);
    await writable;
    this.setBusy(true);
  }

  /** One queued message: window (FC3), then each frame once the channel can take it (FC8). */
  private async sendQueued(message: Message): Promise<boolean> {
    if (this.stopped) return false;
    const encoded = encodeMessage(message);
    if (isCredited(message.kind) && !this.window.tryAcquire(encoded.length)) {
      this.setBusy(false);
      const acquired = await this.window.acquire(encoded.length);
      this.setBusy(true);
      if (!acquired) return false;
    }
    const frames = messageFrames(encoded, this.nextMessageId);
    this.nextMessageId = (this.nextMessageId + 1) >>> 0;
    for (const frame of frames) {
      await this.whenWritable();
      if (this.stopped || !this.write(frame)) return false;
    }
    return true;
  }

  private async run(): Promise<void> {
    this.running = true;
    this.setBusy(true);
    try {
      while (!this.stopped && this.head < this.items.length) {
        const item = this.take();
        if (item === undefined) continue;
        const produced = typeof item === 'function' ? await item() : item;
        if (produced === null || this.stopped) continue;
        const messages: readonly Message[] = Array.isArray(produced)
          ? produced
          : [produced as Message];
        for (const message of messages) if (!(await this.sendQueued(message))) return;
      }
    } catch (error) {
      if (!this.stopped) this.hooks.failed(error, false);
    } finally {
      this.running = false;
      this.setBusy(false);
    }
  }
}
