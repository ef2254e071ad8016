import { beforeEach, describe, expect, it } from 'vitest';
import { err, ok } from '../../../src/lib/result';
import type { SaveResult } from '../../../src/app/views';
import { FormState } from '../../../src/ui/forms/form.svelte';
import { unsaved } from '../../../src/ui/state/unsaved.svelte';

/** The browser's sessionStorage, as far as drafts use it. */
class MemoryStorage {
  #items = new Map<string, string>();
  getItem = (key: string) => this.#items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.#items.set(key, value);
  removeItem = (key: string) => void this.#items.delete(key);
}

/** A service call that answers with `result` once it is "durable". */
const answer = (result: SaveResult<string>) => () => Promise.resolve(result);

beforeEach(() => {
  Object.defineProperty(globalThis, 'sessionStorage', {
    value: new MemoryStorage(),
    configurable: true,
  });
});

describe('a form', () => {
  it('keeps every typed value and shows the issues when the service refuses', async () => {
    const form = new FormState('visit:test', { weightKg: '', symptoms: [] });
    form.set('weightKg', '900');
    form.toggle('symptoms', 'cough', true);
    const saved = await form.submit(
      answer(
        err({
          type: 'invalid',
          issues: [{ field: 'weightKg', rule: 'max_value', params: { max: 250 } }],
        }),
      ),
    );
    expect(saved).toBeUndefined();
    expect(form.values).toEqual({ weightKg: '900', symptoms: ['cough'] });
    expect(form.issueFor('weightKg')?.rule).toBe('max_value');
    expect(unsaved.any).toBe(true);
    form.close();
  });

  it('keeps the input when the device is full, and says so', async () => {
    const form = new FormState('visit:full', { notes: '' });
    form.set('notes', 'Doing well');
    await form.submit(answer(err({ type: 'storage', code: 'quota-exceeded' })));
    expect(form.problem).toEqual({ type: 'storage', code: 'quota-exceeded' });
    expect(form.text('notes')).toBe('Doing well');
    form.close();
  });

  it('comes back from its draft after a reload, and forgets it once saved', async () => {
    expect(unsaved.any).toBe(false);
    const first = new FormState('visit:reload', { weightKg: '' });
    first.set('weightKg', '61.5');
    first.close();

    const reopened = new FormState('visit:reload', { weightKg: '' });
    expect(reopened.restored).toBe(true);
    expect(reopened.text('weightKg')).toBe('61.5');
    expect(unsaved.any).toBe(true);

    const saved = await reopened.submit(answer(ok('entry-1')));
    expect(saved).toEqual({ value: 'entry-1' });
    expect(unsaved.any).toBe(false);
    expect(new FormState('visit:reload', { weightKg: '' }).restored).toBe(false);
  });

  it('clears a field’s message as soon as the clinician edits it', async () => {
    const form = new FormState('visit:fix', { date: '' });
    await form.submit(
      answer(err({ type: 'invalid', issues: [{ field: 'date', rule: 'required' }] })),
    );
    form.set('date', '2025-01-10');
    expect(form.issueFor('date')).toBeUndefined();
  });
});
