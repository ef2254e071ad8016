/**
 * In-progress form input kept in sessionStorage, so a reload (or an update) does not lose what
 * was typed. sessionStorage is per tab and cleared when the tab closes: patient data typed
 * into a form does not linger on a shared phone.
 */
import type { FormValues } from './values';

const prefix = 'pamoja.draft.';

export function loadDraft(formId: string): FormValues | undefined {
  try {
    const text = sessionStorage.getItem(prefix + formId);
    if (text === null) return undefined;
    const parsed: unknown = JSON.parse(text);
    return isFormValues(parsed) ? parsed : undefined;
  } catch (error) {
    console.warn('Draft could not be read', error);
    return undefined;
  }
}

export function saveDraft(formId: string, values: FormValues): void {
  try {
    sessionStorage.setItem(prefix + formId, JSON.stringify(values));
  } catch (error) {
    // A full or blocked sessionStorage only costs the reload safety net, not the input.
    console.warn('Draft could not be kept', error);
  }
}

export function clearDraft(formId: string): void {
  try {
    sessionStorage.removeItem(prefix + formId);
  } catch (error) {
    console.warn('Draft could not be cleared', error);
  }
}

function isFormValues(value: unknown): value is FormValues {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (field) =>
      typeof field === 'string' ||
      typeof field === 'boolean' ||
      (Array.isArray(field) && field.every((item) => typeof item === 'string')),
  );
}
