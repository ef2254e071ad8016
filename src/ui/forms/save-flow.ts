import type { SaveResult } from '../../app/views';
import type { CtcId } from '../../domain/types';
import { t } from '../i18n/i18n.svelte';
import { router } from '../state/router.svelte';
import { hrefOf } from '../state/routes';
import { saveStatus } from '../state/save-status.svelte';
import type { FormState } from './form.svelte';

/** Save a patient form; on success say "Saved" and return to the patient page. */
export async function saveThenOpenPatient<T>(
  form: FormState,
  ctcId: CtcId,
  save: () => Promise<SaveResult<T>>,
  describe: (value: T) => string = () => t('common.saved'),
): Promise<{ value: T } | undefined> {
  saveStatus.show(() => t('common.saving'));
  const saved = await form.submit(save);
  if (!saved) {
    saveStatus.clear();
    return undefined;
  }
  const next = { name: 'patient', ctcId } as const;
  const value = saved.value;
  saveStatus.show(() => describe(value), hrefOf(next));
  router.go(next);
  return saved;
}
