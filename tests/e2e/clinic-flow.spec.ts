/**
 * The single-device clinic day: set up, register, find, record a visit, correct it, enter a
 * result, edit details, change status, and see who is due today. Everything must survive a
 * reload, because it is stored in IndexedDB, not held in the page.
 */
import type { VisitDetails } from './pages/entry-forms';
import { addDays, clinicDevice, firstCtcId, firstCtcIdGrouped, juma, zaituni } from './data';
import { en } from '../../src/ui/i18n/en';
import { expect, test } from './fixtures';

const fullVisit: VisitDetails = {
  weightKg: '61.5',
  heightCm: '162',
  bpSystolic: '118',
  bpDiastolic: '76',
  pregnant: 'no',
  breastfeeding: 'no',
  tbScreen: 'negative',
  symptoms: ['cough', 'headache'],
  arvStatus: 'continue',
  regimen: '1r-A',
  daysSupplied: '30',
  quantity: '1',
  otherMedicines: ['cotrimoxazole'],
  adherence: 'good',
  pillsMissed: '0',
  investigationsOrdered: ['viral_load'],
  nextAppointment: 'suggested',
  notes: 'Doing well on TLD.',
};

/** What the timeline shows for `fullVisit` (entry-text.ts), given its appointment date. */
function fullVisitLines(nextAppointment: string): string[] {
  return [
    '61.5 kg · 162 cm · BP 118/76',
    'TB screening: Negative (no symptoms)',
    'Symptoms: Cough, Headache',
    'ARV: Continue · Regimen 1r-A · 30 days · × 1',
    'Other medicines given: Cotrimoxazole (CTX)',
    'Adherence: Good · Pills missed in the last 30 days 0',
    'Tests ordered: Viral load',
    `Next appointment: ${nextAppointment}`,
    'Doing well on TLD.',
  ];
}

test('register, find and record a visit; all of it is still there after a reload', async ({
  app,
  page,
}) => {
  await app.start();

  const ctcId = await app.registerPatient(zaituni);
  expect(ctcId).toBe(firstCtcId);
  await expect(app.shell.saveStatus).toHaveText(
    en.register.saved.replace('{{ctcId}}', firstCtcIdGrouped),
  );
  await expect(app.patient.ctcId).toHaveText(firstCtcIdGrouped);
  await expect(app.patient.status).toHaveAttribute('data-status', 'active');

  await app.shell.goTo('home');
  // Part of a name, any case, with or without the accents it was registered with.
  for (const query of ['zaitu', 'MWAKALELE', 'Zaïtuni mwaká', '  mwak  ']) {
    await app.home.search(query);
    await expect(app.home.hits, `search "${query}"`).toHaveCount(1);
    await expect(app.home.hit(ctcId)).toContainText('Zaïtuni Mwakaléle');
  }
  // The CTC ID as printed on the card, and the phone number typed in other groupings.
  for (const query of [firstCtcIdGrouped, '0712345678', '345 678']) {
    await app.home.search(query);
    await expect(app.home.hits, `search "${query}"`).toHaveCount(1);
    await expect(app.home.hit(ctcId)).toBeVisible();
  }
  await expect(app.home.hit(ctcId).getByTestId('hit-held')).toHaveAttribute('data-held', 'true');
  await app.home.search('Zawadi');
  await expect(app.home.empty).toBeVisible();
  await expect(app.home.hits).toHaveCount(0);

  await app.home.search('zaitu');
  await app.home.open(ctcId);
  await expect(app.patient.name).toHaveText('Zaïtuni Mwakaléle');
  await expect(app.patient.timeline).toContainText(en.patient.timelineEmpty);

  await app.patient.startAction('visit');
  const today = await app.today();
  await expect(app.visit.input('date')).toHaveValue(today);
  await app.visit.fillVisit(fullVisit);
  const nextAppointment = addDays(today, 30);
  await expect(app.visit.input('nextAppointment')).toHaveValue(nextAppointment);
  await app.visit.save();

  await expect(app.patient.screen).toBeVisible();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  const visits = app.patient.entries('visit');
  await expect(visits).toHaveCount(1);
  for (const line of fullVisitLines(nextAppointment)) await expect(visits).toContainText(line);
  await expect(app.patient.nextAppointment).toContainText(nextAppointment);
  await expect(app.patient.nextAppointment.locator('[data-state]')).toHaveAttribute(
    'data-state',
    'upcoming',
  );

  await page.reload();
  await expect(app.patient.name).toHaveText('Zaïtuni Mwakaléle');
  await expect(app.patient.ctcId).toHaveText(firstCtcIdGrouped);
  await expect(visits).toHaveCount(1);
  for (const line of fullVisitLines(nextAppointment)) await expect(visits).toContainText(line);
  await expect(app.patient.demographics).toContainText('0712 345 678');
  await expect(app.patient.demographics).toContainText('Kijitonyama');
  await expect(app.patient.demographics).toContainText('Baraka Said');
  // "Saved" belongs to the save that just happened, not to a reloaded page.
  await expect(app.shell.saveStatus).toHaveText('');

  // The device profile survived as well: no setup screen, same facility.
  await expect(app.shell.headerFacility).toHaveText(clinicDevice.facilityName);
  await app.shell.goTo('home');
  await app.home.search(firstCtcId);
  await expect(app.home.hits).toHaveCount(1);
});

test('correcting a visit keeps the original next to its replacement', async ({ app }) => {
  await app.start();
  await app.registerPatient(zaituni);
  await app.patient.startAction('visit');
  await app.visit.fillVisit({
    weightKg: '61.5',
    tbScreen: 'negative',
    arvStatus: 'continue',
    regimen: '1r-A',
    daysSupplied: '30',
    nextAppointment: 'suggested',
  });
  await app.visit.save();
  const original = app.patient.entries('visit');
  await expect(original).toHaveCount(1);
  const originalId = await original.getAttribute('data-entry-id');

  await app.patient.correct(original);
  await expect(app.visit.heading).toHaveText(en.visit.correctTitle);
  // The correction starts from what was recorded.
  await expect(app.visit.input('weightKg')).toHaveValue('61.5');
  await expect(app.visit.input('regimen')).toHaveValue('1r-A');
  await expect(app.visit.option('daysSupplied', '30')).toBeChecked();
  await app.visit.fill('weightKg', '65');
  await app.visit.save();

  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  const current = app.patient.entries('visit');
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('65 kg');
  await expect(current).not.toContainText('61.5 kg');
  expect(await current.getAttribute('data-entry-id')).not.toBe(originalId);

  const correction = app.patient.correctionItems;
  await expect(correction).toHaveCount(1);
  await expect(correction).toHaveAttribute('data-entry-id', originalId ?? '');
  await expect(correction).toContainText(en.patient.replaced);
  await expect(correction.locator('.superseded')).toContainText('61.5 kg');
  await expect(correction.getByTestId('replacement')).toContainText('65 kg');
});

test('a lab result, edited details and a transfer out keep the whole history', async ({ app }) => {
  await app.start();
  await app.registerPatient(zaituni);
  const today = await app.today();

  await app.patient.startAction('result');
  await app.result.fillResult({
    investigation: 'viral_load',
    sampleDate: addDays(today, -7),
    value: '40',
    note: 'Suppressed',
  });
  await app.result.save();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  const results = app.patient.entries('result');
  await expect(results).toHaveCount(1);
  await expect(results).toContainText('Viral load: 40 copies/mL');
  await expect(results).toContainText(`Sample date: ${addDays(today, -7)}`);

  await app.patient.startAction('edit');
  await expect(app.edit.input('phone')).toHaveValue('0712 345 678');
  await app.edit.fill('phone', '0765 432 100');
  await app.edit.select('maritalStatus', 'widowed');
  await app.edit.save();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  await expect(app.patient.demographics).toContainText('0765 432 100');
  await expect(app.patient.demographicChange('phone')).toHaveText(
    'Phone number: 0712 345 678 → 0765 432 100',
  );
  await expect(app.patient.demographicChange('maritalStatus')).toHaveText(
    'Marital status: Married → Widowed',
  );

  await app.patient.startAction('status');
  await app.status.fillStatus({
    status: 'transferred_out',
    toFacility: 'Amana Regional Referral Hospital',
    note: 'Moved to Ilala',
  });
  await app.status.save();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  await expect(app.patient.status).toHaveAttribute('data-status', 'transferred_out');
  await expect(app.patient.status).toContainText('Amana Regional Referral Hospital');
  await expect(app.patient.flag('transferred_out')).toBeVisible();

  // Nothing was deleted: the result, the status change and the details history are all there,
  // and the patient is still found.
  await expect(app.patient.entries('result')).toHaveCount(1);
  await expect(app.patient.entries('status')).toHaveCount(1);
  await expect(app.patient.entries('status')).toContainText('Moved to Ilala');
  await expect(app.patient.demographicChange('phone')).toBeVisible();
  await expect(app.patient.name).toHaveText('Zaïtuni Mwakaléle');
  await app.shell.goTo('home');
  await app.home.search('zaituni');
  await expect(app.home.hits).toHaveCount(1);
  await expect(app.home.hits).toContainText('Transferred out');
});

test("today's clinic lists the patient whose appointment is today", async ({ app }) => {
  await app.start();
  const dueToday = await app.registerPatient(juma);
  const today = await app.today();
  await app.patient.startAction('appointment');
  await app.appointment.fillAppointment({ date: today, purpose: 'refill' });
  await app.appointment.save();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);
  await expect(app.patient.nextAppointment.locator('[data-state]')).toHaveAttribute(
    'data-state',
    'due_today',
  );
  await expect(app.patient.entries('appointment')).toContainText('Medicine refill');

  // A patient due next week is not on today's list.
  const later = await app.registerPatient(zaituni);
  await app.patient.startAction('appointment');
  await app.appointment.fillAppointment({ date: addDays(today, 7), purpose: 'clinic' });
  await app.appointment.save();
  await expect(app.patient.entries('appointment')).toHaveCount(1);

  await app.shell.goTo('clinic');
  const due = app.clinic.items('dueToday');
  await expect(due).toHaveCount(1);
  await expect(due).toHaveAttribute('data-ctc-id', dueToday);
  await expect(due).toContainText('Juma Kessy');
  for (const section of ['overdue', 'missed', 'ltfu'] as const)
    await expect(app.clinic.items(section)).toHaveCount(0);
  await expect(app.clinic.screen.locator(`[data-ctc-id="${later}"]`)).toHaveCount(0);

  await due.click();
  await expect(app.patient.name).toHaveText('Juma Kessy');
});
