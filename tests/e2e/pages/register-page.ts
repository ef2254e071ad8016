import type { Locator, Page } from '@playwright/test';
import type { PatientDetails } from '../data';
import { FormPage } from './form-page';

const optionalTextFields = ['phone', 'ward', 'supporterName', 'hivTestDate', 'artStartDate'];
const optionalSelects = ['maritalStatus', 'supporterKind', 'whoStage'];

/** Registration, and the "may already be registered" panel. */
export class RegisterPage extends FormPage {
  readonly duplicates: Locator;
  readonly confirmDifferentPerson: Locator;

  constructor(page: Page) {
    super(page, page.getByTestId('screen-register'));
    this.duplicates = this.screen.getByTestId('duplicate-matches');
    this.confirmDifferentPerson = this.screen.getByTestId('confirm-different-person');
  }

  async fillPatient(patient: PatientDetails): Promise<void> {
    await this.fill('givenName', patient.givenName);
    await this.fill('familyName', patient.familyName);
    await this.choose('sex', patient.sex);
    await this.fill('birthDate', patient.birthDate);
    // Selects first: the supporter kind decides whether the supporter's name is shown.
    for (const field of optionalSelects) {
      const value = patient[field as keyof PatientDetails];
      if (value !== undefined) await this.select(field, value);
    }
    for (const field of optionalTextFields) {
      const value = patient[field as keyof PatientDetails];
      if (value !== undefined) await this.fill(field, value);
    }
  }
}
