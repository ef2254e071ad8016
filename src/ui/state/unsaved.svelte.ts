/**
 * Which open forms hold typed input that is not saved. The update prompt reads this so a new
 * version is never loaded over someone's work.
 */
import { SvelteSet } from 'svelte/reactivity';

class UnsavedInput {
  #forms = new SvelteSet<string>();

  get any(): boolean {
    return this.#forms.size > 0;
  }

  mark(formId: string, dirty: boolean): void {
    if (dirty) this.#forms.add(formId);
    else this.#forms.delete(formId);
  }
}

export const unsaved = new UnsavedInput();
