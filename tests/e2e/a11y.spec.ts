/**
 * Accessibility: axe-core on every main screen, filled with real content (search results,
 * validation messages, a patient with a timeline and corrections). Serious and critical
 * violations fail the test; each screen is checked even when an earlier one fails.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addDays, juma, zaituni } from './data';
import { expect, test } from './fixtures';

async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      elements: violation.nodes.map((node) => ({
        target: node.target.join(' '),
        html: node.html.slice(0, 200),
        why: node.failureSummary,
      })),
    }));
  if (serious.length > 0) console.log(`axe on ${screen}:`, JSON.stringify(serious, null, 2));
  expect.soft(serious, `serious or critical axe violations on ${screen}`).toEqual([]);
}

test('setup, search, registration, clinic list and settings pass axe', async ({ app, page }) => {
  await page.goto('/');
  await expect(app.setup.screen).toBeVisible();
  await expectNoSeriousViolations(page, 'setup');
  await app.setup.save();
  await expect(app.setup.fieldError('facilityName')).toBeVisible();
  await expectNoSeriousViolations(page, 'setup with validation errors');

  await app.start();
  const today = await app.today();
  await app.registerPatient(zaituni);
  // A patient due today, so the clinic list has a row.
  await app.registerPatient(juma);
  await app.patient.startAction('appointment');
  await app.appointment.fillAppointment({ date: today, purpose: 'clinic' });
  await app.appointment.save();
  await app.shell.goTo('clinic');
  await expect(app.clinic.items('dueToday')).toHaveCount(1);
  await expectNoSeriousViolations(page, 'clinic list');

  await app.shell.goTo('home');
  await app.home.search('0701');
  await expect(app.home.hits).toHaveCount(2);
  await expectNoSeriousViolations(page, 'home with results');

  await app.shell.goTo('register');
  await expectNoSeriousViolations(page, 'register');
  await app.register.fill('birthDate', addDays(today, 2));
  await app.register.select('supporterKind', 'friend');
  await app.register.save();
  await expect(app.register.fieldError('givenName')).toBeVisible();
  await expectNoSeriousViolations(page, 'register with validation errors');

  await app.register.fillPatient(juma);
  await app.register.save();
  await expect(app.register.duplicates).toBeVisible();
  await expectNoSeriousViolations(page, 'register with a possible duplicate');

  await app.shell.goTo('settings');
  await expect(app.settings.storageMeter).toBeVisible();
  await expectNoSeriousViolations(page, 'settings');

  await app.shell.switchLanguage();
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');
  await expectNoSeriousViolations(page, 'settings in Swahili');
});

test('the patient page and every patient form pass axe', async ({ app, page }) => {
  await app.start();
  const ctcId = await app.registerPatient(zaituni);
  const today = await app.today();

  // Fill the patient page: a visit (then corrected), a result, an edit.
  await app.patient.startAction('visit');
  await expect(app.visit.screen).toBeVisible();
  await expectNoSeriousViolations(page, 'visit form');
  await app.visit.fillVisit({
    weightKg: '61.5',
    bpSystolic: '118',
    bpDiastolic: '76',
    tbScreen: 'positive',
    symptoms: ['cough'],
    arvStatus: 'continue',
    regimen: '1r-A',
    daysSupplied: '30',
    nextAppointment: 'suggested',
  });
  await app.visit.save();
  await app.patient.correct(app.patient.entries('visit'));
  await app.visit.fill('weightKg', '62');
  await app.visit.save();
  await expect(app.patient.correctionItems).toHaveCount(1);

  await app.patient.startAction('result');
  await expect(app.result.screen).toBeVisible();
  await expectNoSeriousViolations(page, 'result form');
  await app.result.fillResult({
    investigation: 'cd4',
    sampleDate: addDays(today, -3),
    value: '450',
  });
  await app.result.save();

  await app.patient.startAction('edit');
  await expect(app.edit.screen).toBeVisible();
  await expectNoSeriousViolations(page, 'edit details');
  await app.edit.fill('ward', 'Mabibo');
  await app.edit.save();
  await expect(app.patient.demographicChange('ward')).toBeVisible();

  await expect(app.patient.flag('tb_screen_positive')).toBeVisible();
  await expect(app.patient.entries('result')).toHaveCount(1);
  await expectNoSeriousViolations(page, 'patient page');

  await app.patient.startAction('appointment');
  await expect(app.appointment.screen).toBeVisible();
  await expectNoSeriousViolations(page, 'appointment form');

  await app.shell.open(`#/patient/${ctcId}/status`);
  await expect(app.status.screen).toBeVisible();
  await app.status.choose('status', 'transferred_out');
  await expect(app.status.input('toFacility')).toBeVisible();
  await expectNoSeriousViolations(page, 'status form');
});
