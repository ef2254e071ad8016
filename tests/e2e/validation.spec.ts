/**
 * Bad input: the message appears beside the field, nothing is saved, every typed value stays
 * in its input, and a reload brings the draft back.
 */
import { addDays, clinicDevice, juma } from './data';
import { en } from '../../src/ui/i18n/en';
import { expect, test } from './fixtures';

test('setup refuses a 7-digit facility code and keeps everything typed, even over a reload', async ({
  app,
  page,
}) => {
  await page.goto('/');
  await app.setup.fillDevice({ ...clinicDevice, facilityCode: '0701012' });
  await app.setup.save();

  await expect(app.setup.fieldError('facilityCode')).toHaveText(
    'Facility code must be exactly 8 digits.',
  );
  await expect(app.setup.input('facilityCode')).toHaveAttribute('aria-invalid', 'true');
  await expect(app.setup.input('facilityCode')).toBeFocused();
  await expect(app.setup.saveError).toContainText(en.banners.invalid);
  await expect(app.shell.saveStatus).toHaveText('');
  await expect(app.setup.input('facilityCode')).toHaveValue('0701012');
  await expect(app.setup.input('facilityName')).toHaveValue(clinicDevice.facilityName);
  await expect(app.setup.input('role')).toHaveValue(clinicDevice.role);
  await expect(app.setup.input('deviceSlot')).toHaveValue(clinicDevice.deviceSlot);

  await page.reload();
  await expect(app.setup.draftRestored).toHaveText(en.common.draftRestored);
  await expect(app.setup.input('facilityCode')).toHaveValue('0701012');
  await expect(app.setup.input('userName')).toHaveValue(clinicDevice.userName);
  await expect(app.setup.input('role')).toHaveValue(clinicDevice.role);

  // Fixing the one field is enough.
  await app.setup.fill('facilityCode', clinicDevice.facilityCode);
  await app.setup.save();
  await expect(app.home.screen).toBeVisible();
  await expect(app.shell.headerFacility).toHaveText(clinicDevice.facilityName);
});

test('registration shows each problem beside its field and keeps the input over a reload', async ({
  app,
  page,
}) => {
  await app.start();
  await app.shell.goTo('register');
  const tomorrow = addDays(await app.today(), 1);
  await app.register.fill('givenName', 'Rehema');
  await app.register.fill('birthDate', tomorrow);
  await app.register.fill('phone', '0713 222 333');
  await app.register.select('whoStage', '3');
  await app.register.save();

  await expect(app.register.fieldError('familyName')).toHaveText('Family name is needed.');
  await expect(app.register.fieldError('sex')).toHaveText('Sex is needed.');
  await expect(app.register.fieldError('birthDate')).toHaveText(
    'Date of birth cannot be after today.',
  );
  await expect(app.register.fieldError('givenName')).toHaveCount(0);
  // The first field with a problem gets the focus, so the clinician starts there.
  await expect(app.register.input('familyName')).toBeFocused();
  await expect(app.register.saveError).toContainText(en.banners.invalid);
  await expect(app.shell.saveStatus).toHaveText('');
  await expect(app.register.input('givenName')).toHaveValue('Rehema');
  await expect(app.register.input('birthDate')).toHaveValue(tomorrow);
  await expect(app.register.input('phone')).toHaveValue('0713 222 333');
  await expect(app.register.input('whoStage')).toHaveValue('3');

  // Fixing a field takes its message away at once.
  await app.register.fill('familyName', 'Mbwambo');
  await expect(app.register.fieldError('familyName')).toHaveCount(0);
  await expect(app.register.fieldError('birthDate')).toBeVisible();

  await page.reload();
  await expect(app.register.draftRestored).toBeVisible();
  await expect(app.register.input('givenName')).toHaveValue('Rehema');
  await expect(app.register.input('familyName')).toHaveValue('Mbwambo');
  await expect(app.register.input('birthDate')).toHaveValue(tomorrow);
  await expect(app.register.input('phone')).toHaveValue('0713 222 333');
  await expect(app.register.input('whoStage')).toHaveValue('3');

  // Nothing was registered by the failed save.
  await app.shell.goTo('home');
  await app.home.search('Rehema');
  await expect(app.home.empty).toBeVisible();

  // Clearing the form drops the draft: a reload now starts empty.
  await app.shell.goTo('register');
  await expect(app.register.input('givenName')).toHaveValue('Rehema');
  await app.register.clearButton.click();
  await expect(app.register.input('givenName')).toHaveValue('');
  await page.reload();
  await expect(app.register.screen).toBeVisible();
  await expect(app.register.draftRestored).toHaveCount(0);
  await expect(app.register.input('givenName')).toHaveValue('');
});

test('a visit before birth and an appointment in the past are refused beside the date', async ({
  app,
  page,
}) => {
  await app.start();
  const ctcId = await app.registerPatient(juma);

  await app.patient.startAction('visit');
  await app.visit.fillVisit({
    date: '1975-06-01',
    weightKg: '70',
    tbScreen: 'not_done',
    arvStatus: 'not_on_art',
  });
  await app.visit.save();
  await expect(app.visit.fieldError('date')).toHaveText(
    `Date cannot be before the date of birth (${juma.birthDate}).`,
  );
  await expect(app.visit.input('date')).toHaveValue('1975-06-01');
  await expect(app.visit.input('weightKg')).toHaveValue('70');
  await expect(app.visit.option('tbScreen', 'not_done')).toBeChecked();
  await expect(app.visit.input('arvStatus')).toHaveValue('not_on_art');
  await expect(app.shell.saveStatus).toHaveText('');

  await page.reload();
  await expect(app.visit.draftRestored).toBeVisible();
  await expect(app.visit.input('date')).toHaveValue('1975-06-01');
  await expect(app.visit.input('weightKg')).toHaveValue('70');
  await expect(app.visit.option('tbScreen', 'not_done')).toBeChecked();

  const yesterday = addDays(await app.today(), -1);
  await app.shell.open(`#/patient/${ctcId}`);
  await app.patient.startAction('appointment');
  await app.appointment.fillAppointment({ date: yesterday, purpose: 'lab', note: 'CD4' });
  await app.appointment.save();
  await expect(app.appointment.fieldError('date')).toHaveText('Date must be today or later.');
  await expect(app.appointment.input('date')).toHaveValue(yesterday);
  await expect(app.appointment.option('purpose', 'lab')).toBeChecked();
  await expect(app.appointment.input('note')).toHaveValue('CD4');
  await expect(app.shell.saveStatus).toHaveText('');
});
