/**
 * The follow-up lists and Home's counts as runes, refreshed when stored data changes (the care
 * service's `onChange` is coalesced, SR1). One load at a time, and one more after it if
 * anything changed meanwhile, so a sync burst never stacks reads. Types only from the app:
 * Home imports this, and the care code itself is fetched on the first call (care-lazy.ts).
 */
import type { CareService, FollowUpCounts, FollowUpView, PatientCare } from '../../app/care-views';
import type { CtcId, IsoDate } from '../../domain/types';

class Refreshing<T> {
  value = $state<T | undefined>();
  /** The first load has ended (a record not held here loads as undefined). */
  loaded = $state(false);
  #loading = false;
  #again = false;

  constructor(
    protected readonly care: CareService | undefined,
    private readonly load: (care: CareService) => Promise<T>,
  ) {}

  connect(): () => void {
    if (!this.care) return () => undefined;
    void this.refresh();
    return this.care.onChange(() => void this.refresh());
  }

  async refresh(): Promise<void> {
    const care = this.care;
    if (!care) return;
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    try {
      do {
        this.#again = false;
        this.value = await this.load(care);
        this.loaded = true;
      } while (this.#again);
    } catch (error) {
      console.error('Follow-up failed', error);
    } finally {
      this.#loading = false;
    }
  }
}

/** Home's four numbers: the appointment index only, no record opened. */
export class FollowUpCountsState extends Refreshing<FollowUpCounts> {
  constructor(care: CareService | undefined) {
    super(care, (service) => service.followUpCounts());
  }
}

/** Every list, with the day the "on a date" list is for. */
export class FollowUpListState extends Refreshing<FollowUpView> {
  date = $state<IsoDate | undefined>();

  constructor(care: CareService | undefined) {
    super(care, (service) => service.followUp(this.date ? { date: this.date } : {}));
  }

  choose(date: IsoDate | undefined): void {
    this.date = date;
    void this.refresh();
  }
}

/** One record's alerts, answers and tracing attempts. */
export class PatientCareState extends Refreshing<PatientCare | undefined> {
  constructor(care: CareService | undefined, ctcId: CtcId) {
    super(care, (service) => service.patientCare(ctcId));
  }
}
