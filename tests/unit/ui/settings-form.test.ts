import { beforeEach, describe, expect, it } from 'vitest';
import { ok } from '../../../src/lib/result';
import { FormState } from '../../../src/ui/forms/form.svelte';
import { unsaved } from '../../../src/ui/state/unsaved.svelte';

class MemoryStorage {
  #items = new Map<string, string>();
  getItem = (key: string) => this.#items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.#items.set(key, value);
  removeItem = (key: string) => void this.#items.delete(key);
}

beforeEach(() => {
  Object.defineProperty(globalThis, 'sessionStorage', {
    value: new MemoryStorage(),
    configurable: true,
  });
});

describe('a settings form that stays open after saving', () => {
  it('takes the saved values as its new start: nothing to clear, no draft, no warning', async () => {
    const form = new FormState('network-settings', { networkName: '', secret: '' });
    form.set('networkName', '  Mbeya CTC  ');
    expect(unsaved.any).toBe(true);
    await form.submit(() => Promise.resolve(ok('saved')));
    form.startFrom({ networkName: 'Mbeya CTC', secret: '' });
    expect(form.dirty).toBe(false);
    expect(form.text('networkName')).toBe('Mbeya CTC');
    expect(unsaved.any).toBe(false);
    expect(sessionStorage.getItem('pamoja.draft.network-settings')).toBeNull();
    // A reopened form starts from what was saved, not from an old draft.
    expect(new FormState('network-settings', { networkName: 'Mbeya CTC' }).restored).toBe(false);
  });

  it('still counts later typing as a change from the saved values', () => {
    const form = new FormState('network-settings', { networkName: '' });
    form.startFrom({ networkName: 'Mbeya CTC' });
    form.set('networkName', 'Mbeya CTC 2');
    expect(form.dirty).toBe(true);
    form.reset();
    expect(form.text('networkName')).toBe('Mbeya CTC');
  });
});
