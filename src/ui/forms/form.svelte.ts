/**
 * One open form: what was typed, what the service said about it, and the save in progress.
 * Input survives every failure: refused, storage full, or a reload (draft in sessionStorage).
 */
import { tick } from 'svelte';
import type { FieldIssue } from '../../domain/types';
import type { SaveError, SaveResult } from '../../app/views';
import { clearDraft, loadDraft, saveDraft } from './drafts';
import type { FieldValue, FormValues } from './values';
import { unsaved } from '../state/unsaved.svelte';

export type FormProblem = SaveError | { type: 'unexpected' };

export class FormState {
  values = $state<FormValues>({});
  issues = $state<FieldIssue[]>([]);
  problem = $state<FormProblem | undefined>();
  saving = $state(false);
  /** True when the values came back from a draft of an earlier session. */
  restored = $state(false);
  element: HTMLFormElement | undefined;
  #initial: FormValues;

  constructor(
    readonly id: string,
    initial: FormValues,
  ) {
    this.#initial = initial;
    const draft = loadDraft(id);
    this.values = draft ? { ...initial, ...draft } : { ...initial };
    this.restored = draft !== undefined;
    unsaved.mark(id, this.dirty);
  }

  get dirty(): boolean {
    return JSON.stringify(this.values) !== JSON.stringify(this.#initial);
  }

  text(name: string): string {
    const value = this.values[name];
    return typeof value === 'string' ? value : '';
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  list(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value : [];
  }

  set(name: string, value: FieldValue): void {
    this.values[name] = value;
    // The clinician is fixing this field: its old message would now be wrong.
    this.issues = this.issues.filter((issue) => issue.field !== name);
    if (this.dirty) saveDraft(this.id, $state.snapshot(this.values));
    else clearDraft(this.id);
    unsaved.mark(this.id, this.dirty);
  }

  toggle(name: string, code: string, on: boolean): void {
    const current = this.list(name).filter((item) => item !== code);
    this.set(name, on ? [...current, code] : current);
  }

  issueFor(name: string): FieldIssue | undefined {
    return this.issues.find((issue) => issue.field === name);
  }

  /** Back to the starting values; the draft goes too. */
  reset(): void {
    this.values = { ...this.#initial };
    this.issues = [];
    this.problem = undefined;
    this.restored = false;
    clearDraft(this.id);
    unsaved.mark(this.id, false);
  }

  /**
   * The form stays open after a save (a settings form): what was saved becomes the new
   * starting point, so the form is no longer "changed" and offers nothing to clear.
   */
  startFrom(values: FormValues): void {
    this.#initial = { ...values };
    this.reset();
  }

  /** The form is closing: the draft stays for a reload, but it no longer blocks updates. */
  close(): void {
    unsaved.mark(this.id, false);
  }

  /**
   * Runs one save. Returns the value only when the service resolved ok (the write is durable);
   * on any failure every typed value stays and the problem is shown.
   */
  async submit<T>(save: () => Promise<SaveResult<T>>): Promise<{ value: T } | undefined> {
    if (this.saving) return undefined;
    this.saving = true;
    this.problem = undefined;
    let result: SaveResult<T>;
    try {
      result = await save();
    } catch (error) {
      console.error('Save failed unexpectedly', error);
      this.problem = { type: 'unexpected' };
      return undefined;
    } finally {
      this.saving = false;
    }
    if (result.ok) {
      this.issues = [];
      clearDraft(this.id);
      unsaved.mark(this.id, false);
      return { value: result.value };
    }
    this.problem = result.error;
    this.issues = result.error.type === 'invalid' ? result.error.issues : [];
    if (result.error.type === 'invalid') await this.focusFirstIssue();
    return undefined;
  }

  async focusFirstIssue(): Promise<void> {
    await tick();
    const target =
      // Selector lists match in document order: the first field with a problem, whatever its kind
      // (radios carry no aria-invalid; their group is marked `.invalid`).
      this.element?.querySelector<HTMLElement>('[aria-invalid="true"], .invalid input') ??
      this.element?.querySelector<HTMLElement>('[data-testid="save-error"]');
    target?.focus();
  }
}
