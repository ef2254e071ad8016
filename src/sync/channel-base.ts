/**
 * The listener bookkeeping every `Channel` shares: message and close listeners, a close that is
 * told once (also to listeners added after it), and nothing delivered after it.
 */
import type { Channel } from './ports';

export abstract class ChannelBase implements Channel {
  private readonly messageListeners = new Set<(frame: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedWith: string | undefined;
  /** A7/CB1: set by the transport before the channel is announced (see `Channel.binding`). */
  binding?: Uint8Array;

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  abstract send(frame: Uint8Array): void;
  abstract close(reason: string): void;

  /** No queue of its own by default: always writable. Queued transports override it. */
  writable(): Promise<void> {
    return Promise.resolve();
  }

  onMessage(listener: (frame: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closedWith !== undefined) {
      listener(this.closedWith);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Hands a received frame to every listener. With `errors`, a listener's exception is collected
   * there instead of stopping delivery to the others.
   */
  deliver(frame: Uint8Array, errors?: unknown[]): void {
    if (this.closed) return;
    for (const listener of [...this.messageListeners]) {
      if (!errors) {
        listener(frame);
        continue;
      }
      try {
        listener(frame);
      } catch (error) {
        errors.push(error);
      }
    }
  }

  /** Marks the channel closed and tells its close listeners, once. */
  fireClose(reason: string): void {
    if (this.closed) return;
    this.closedWith = reason;
    this.releaseResources();
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
    this.messageListeners.clear();
  }

  /** What the transport drops when the channel closes, before listeners hear of it. */
  protected releaseResources(): void {}
}
