/**
 * The "new version" prompt. A waiting service worker takes over only when the user says so,
 * and never while a form holds unsaved input: the reload that follows would lose it.
 */
import type { Workbox } from 'workbox-window';
import { unsaved } from './state/unsaved.svelte';

const hourMs = 60 * 60 * 1000;

class UpdatePrompt {
  /** A new service worker is installed and waiting. */
  waiting = $state(false);
  #workbox: Workbox | undefined;
  #updating = false;

  /** Registration waits for nothing on screen, so workbox-window is fetched after it. */
  async register(): Promise<void> {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    const { Workbox } = await import('workbox-window');
    const workbox = new Workbox('/sw.js');
    this.#workbox = workbox;
    workbox.addEventListener('waiting', () => {
      this.waiting = true;
    });
    workbox.addEventListener('controlling', () => {
      // Only our own update reloads; and if someone started typing meanwhile, the new
      // version waits for the next start instead.
      if (this.#updating && !unsaved.any) window.location.reload();
    });
    workbox.register().then(
      () => setInterval(() => void workbox.update(), hourMs),
      (error: unknown) => console.warn('Service worker registration failed', error),
    );
  }

  /** The banner must ask to save first. */
  get blocked(): boolean {
    return unsaved.any;
  }

  /** Returns false (and does nothing) while unsaved input exists. */
  update(): boolean {
    if (!this.waiting || unsaved.any || !this.#workbox) return false;
    this.#updating = true;
    this.#workbox.messageSkipWaiting();
    return true;
  }
}

export const updatePrompt = new UpdatePrompt();
