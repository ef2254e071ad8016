import type { Locator, Page } from '@playwright/test';

export type EntryKind = 'visit' | 'result' | 'appointment' | 'status';
export type PatientAction = 'visit' | 'result' | 'appointment' | 'edit' | 'status';

/** One patient's record: heading, alerts, details, actions, timeline and corrections. */
export class PatientPage {
  readonly screen: Locator;
  readonly name: Locator;
  readonly ctcId: Locator;
  readonly flags: Locator;
  readonly nextAppointment: Locator;
  readonly status: Locator;
  readonly demographics: Locator;
  readonly timeline: Locator;
  readonly timelineEntries: Locator;
  readonly corrections: Locator;
  readonly correctionItems: Locator;
  readonly notFound: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('screen-patient');
    this.name = this.screen.getByTestId('patient-name');
    this.ctcId = this.screen.getByTestId('patient-ctc-id');
    this.flags = this.screen.getByTestId('patient-flags');
    this.nextAppointment = this.screen.getByTestId('next-appointment');
    this.status = this.screen.getByTestId('patient-status');
    this.demographics = this.screen.getByTestId('patient-demographics');
    this.timeline = this.screen.getByTestId('timeline');
    this.timelineEntries = this.timeline.getByTestId('timeline-entry');
    this.corrections = this.screen.getByTestId('corrections');
    this.correctionItems = this.corrections.getByTestId('correction');
    this.notFound = this.screen.getByTestId('patient-not-found');
  }

  flag(code: string): Locator {
    return this.flags.locator(`li[data-flag="${code}"]`);
  }

  entries(kind: EntryKind): Locator {
    return this.timeline.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]`);
  }

  demographicChange(field: string): Locator {
    return this.corrections.locator(`[data-testid="demographic-change"][data-field="${field}"]`);
  }

  /** The CTC ID of the record on screen, from the screen's own data attribute. */
  async currentCtcId(): Promise<string> {
    const id = await this.screen.getAttribute('data-ctc-id');
    if (id === null) throw new Error('The patient screen names no CTC ID');
    return id;
  }

  async startAction(action: PatientAction): Promise<void> {
    await this.screen.getByTestId(`action-${action}`).click();
  }

  async correct(entry: Locator): Promise<void> {
    await entry.getByTestId('correct-entry').click();
  }
}
