/**
 * The `app` fixture: page models for every screen plus the steps most tests share (set up the
 * device, register a patient). Every test gets its own browser context, so its own IndexedDB,
 * sessionStorage and service worker: tests never see each other's patients.
 */
import { expect, test as base, type Page } from '@playwright/test';
import { clinicDevice, type DeviceDetails, type PatientDetails } from './data';
import { AppShell } from './pages/app-shell';
import { AppointmentPage, EditPage, ResultPage, StatusPage, VisitPage } from './pages/entry-forms';
import { HomePage } from './pages/home-page';
import { ClinicPage, SettingsPage } from './pages/list-pages';
import { PatientPage } from './pages/patient-page';
import { RegisterPage } from './pages/register-page';
import { SetupPage } from './pages/setup-page';

export class Pamoja {
  readonly shell: AppShell;
  readonly setup: SetupPage;
  readonly home: HomePage;
  readonly register: RegisterPage;
  readonly patient: PatientPage;
  readonly visit: VisitPage;
  readonly result: ResultPage;
  readonly appointment: AppointmentPage;
  readonly edit: EditPage;
  readonly status: StatusPage;
  readonly clinic: ClinicPage;
  readonly settings: SettingsPage;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.setup = new SetupPage(page);
    this.home = new HomePage(page);
    this.register = new RegisterPage(page);
    this.patient = new PatientPage(page);
    this.visit = new VisitPage(page);
    this.result = new ResultPage(page);
    this.appointment = new AppointmentPage(page);
    this.edit = new EditPage(page);
    this.status = new StatusPage(page);
    this.clinic = new ClinicPage(page);
    this.settings = new SettingsPage(page);
  }

  /** First run on a fresh device: set it up and land on search. */
  async start(device: DeviceDetails = clinicDevice): Promise<void> {
    await this.page.goto('/');
    await expect(this.setup.screen).toBeVisible();
    await this.setup.fillDevice(device);
    await this.setup.save();
    await expect(this.home.screen).toBeVisible();
    await expect(this.shell.headerFacility).toHaveText(device.facilityName);
  }

  /** Registers through the form and returns the new CTC ID (from the patient screen). */
  async registerPatient(patient: PatientDetails): Promise<string> {
    await this.shell.goTo('register');
    await this.register.fillPatient(patient);
    await this.register.save();
    await expect(this.patient.name).toHaveText(`${patient.givenName} ${patient.familyName}`);
    return this.patient.currentCtcId();
  }

  /** Today as the app sees it: the browser's local calendar date. */
  today(): Promise<string> {
    return this.page.evaluate(() => {
      const now = new Date();
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    });
  }
}

export const test = base.extend<{ app: Pamoja }>({
  app: async ({ page }, use) => {
    // An uncaught exception in the page is a bug even when the screen looks right.
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await use(new Pamoja(page));
    expect(
      errors.map((error) => error.message),
      'uncaught errors in the page',
    ).toEqual([]);
  },
});

export { expect };
