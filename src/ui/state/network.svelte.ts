/**
 * The network's status as runes. The subscription to the service runs only while some template
 * reads `current`; `now` ticks every 30 seconds while read, so "last heard 3 minutes ago"
 * does not freeze on a screen left open.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { NetworkService, NetworkView } from '../../app/views';

export const nowTickMs = 30_000;

export class NetworkState {
  #view: NetworkView;
  #now: number;
  #subscribe: () => void;
  #tick: () => void;

  constructor(
    readonly service: NetworkService,
    clock: () => number = Date.now,
  ) {
    this.#view = service.status();
    this.#now = clock();
    this.#subscribe = createSubscriber((update) => {
      // Whatever changed while nobody was watching.
      this.#view = service.status();
      return service.onStatus((view) => {
        this.#view = view;
        update();
      });
    });
    this.#tick = createSubscriber((update) => {
      this.#now = clock();
      const timer = setInterval(() => {
        this.#now = clock();
        update();
      }, nowTickMs);
      return () => clearInterval(timer);
    });
  }

  get current(): NetworkView {
    this.#subscribe();
    return this.#view;
  }

  /** Milliseconds since the epoch, fresh to within `nowTickMs`. */
  get now(): number {
    this.#tick();
    return this.#now;
  }
}
