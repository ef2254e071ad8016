/**
 * A patient record as runes. The subscription to the service runs only while some template
 * reads `current`, and stops when the screen closes (Svelte's createSubscriber).
 */
import { createSubscriber } from 'svelte/reactivity';
import type { ClinicService, PatientView, SearchHit } from '../../app/views';
import type { CtcId } from '../../domain/types';

export class PatientState {
  #view: PatientView | undefined;
  #loaded = false;
  #subscribe: () => void;

  constructor(service: ClinicService, ctcId: CtcId) {
    this.#subscribe = createSubscriber((update) =>
      service.watchPatient(ctcId, (view) => {
        this.#view = view;
        this.#loaded = true;
        update();
      }),
    );
  }

  get current(): PatientView | undefined {
    this.#subscribe();
    return this.#view;
  }

  /** False until the first answer: "not on this device" must not flash while loading. */
  get loaded(): boolean {
    this.#subscribe();
    return this.#loaded;
  }
}

/**
 * The network directory's summary of a patient whose record this device does not hold,
 * found through the same search the home screen uses (a CTC ID matches exactly one).
 */
export async function findSummary(
  service: ClinicService,
  ctcId: CtcId,
): Promise<SearchHit | undefined> {
  const hits = await service.search(ctcId);
  return hits.find((hit) => hit.ctcId === ctcId);
}
