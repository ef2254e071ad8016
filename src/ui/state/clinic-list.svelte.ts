import type { ClinicList, ClinicService } from '../../app/views';
import type { IsoDate } from '../../domain/types';

/** Today's worklist, refreshed whenever stored data changes. */
export class ClinicListState {
  list = $state<ClinicList | undefined>();

  constructor(
    private readonly service: ClinicService,
    private readonly today: () => IsoDate,
  ) {}

  connect(): () => void {
    void this.refresh();
    return this.service.onChange(() => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.service.clinicList(this.today());
    } catch (error) {
      console.error('Clinic list failed', error);
    }
  }
}
