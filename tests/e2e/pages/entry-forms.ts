import type { Locator, Page } from '@playwright/test';
import { FormPage } from './form-page';

export interface VisitDetails {
  date?: string;
  weightKg?: string;
  heightCm?: string;
  bpSystolic?: string;
  bpDiastolic?: string;
  pregnant?: string;
  breastfeeding?: string;
  tbScreen: string;
  symptoms?: string[];
  otherSymptoms?: string;
  arvStatus: string;
  regimen?: string;
  daysSupplied?: string;
  quantity?: string;
  otherMedicines?: string[];
  adherence?: string;
  pillsMissed?: string;
  investigationsOrdered?: string[];
  /** A date, or 'suggested' to press "Use <visit date + days supplied>". */
  nextAppointment?: string;
  notes?: string;
}

const visitTextFields = [
  'date',
  'weightKg',
  'heightCm',
  'bpSystolic',
  'bpDiastolic',
  'otherSymptoms',
  'quantity',
  'pillsMissed',
  'notes',
] as const;
const visitRadios = ['pregnant', 'breastfeeding', 'tbScreen', 'daysSupplied', 'adherence'] as const;
const visitCheckboxes = ['symptoms', 'otherMedicines', 'investigationsOrdered'] as const;

/** Record (or correct) a visit. */
export class VisitPage extends FormPage {
  readonly useSuggestedAppointment: Locator;

  constructor(page: Page) {
    super(page, page.getByTestId('screen-visit'));
    this.useSuggestedAppointment = this.screen.getByTestId('use-suggested-appointment');
  }

  async fillVisit(visit: VisitDetails): Promise<void> {
    // ARV status first: it decides whether regimen and days of supply are shown.
    await this.select('arvStatus', visit.arvStatus);
    if (visit.regimen !== undefined) await this.select('regimen', visit.regimen);
    for (const field of visitTextFields) {
      const value = visit[field];
      if (value !== undefined) await this.fill(field, value);
    }
    for (const field of visitRadios) {
      const value = visit[field];
      if (value !== undefined) await this.choose(field, value);
    }
    for (const field of visitCheckboxes) {
      const value = visit[field];
      if (value !== undefined) await this.tick(field, value);
    }
    if (visit.nextAppointment === 'suggested') await this.useSuggestedAppointment.click();
    else if (visit.nextAppointment !== undefined)
      await this.fill('nextAppointment', visit.nextAppointment);
  }
}

/** Enter (or correct) a lab result. */
export class ResultPage extends FormPage {
  constructor(page: Page) {
    super(page, page.getByTestId('screen-result'));
  }

  async fillResult(result: {
    investigation: string;
    sampleDate: string;
    resultDate?: string;
    value: string;
    note?: string;
  }): Promise<void> {
    // The investigation decides whether the value is a number or a choice.
    await this.select('investigation', result.investigation);
    await this.fill('sampleDate', result.sampleDate);
    if (result.resultDate !== undefined) await this.fill('resultDate', result.resultDate);
    const value = this.input('value');
    if ((await value.evaluate((element) => element.tagName)) === 'SELECT')
      await value.selectOption(result.value);
    else await value.fill(result.value);
    if (result.note !== undefined) await this.fill('note', result.note);
  }
}

/** Schedule (or correct) an appointment. */
export class AppointmentPage extends FormPage {
  constructor(page: Page) {
    super(page, page.getByTestId('screen-appointment'));
  }

  async fillAppointment(appointment: { date: string; purpose: string; note?: string }) {
    await this.fill('date', appointment.date);
    await this.choose('purpose', appointment.purpose);
    if (appointment.note !== undefined) await this.fill('note', appointment.note);
  }
}

/** Edit a patient's details (the same fields as registration, filled in). */
export class EditPage extends FormPage {
  constructor(page: Page) {
    super(page, page.getByTestId('screen-edit'));
  }
}

/** Change a patient's status: transferred out, died, stopped (never a deletion). */
export class StatusPage extends FormPage {
  constructor(page: Page) {
    super(page, page.getByTestId('screen-status'));
  }

  async fillStatus(change: { status: string; date?: string; toFacility?: string; note?: string }) {
    await this.choose('status', change.status);
    if (change.date !== undefined) await this.fill('date', change.date);
    if (change.toFacility !== undefined) await this.fill('toFacility', change.toFacility);
    if (change.note !== undefined) await this.fill('note', change.note);
  }
}
