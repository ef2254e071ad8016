/**
 * A full device: IndexedDB refuses every write with a QuotaExceededError. The clinician must
 * be told, must keep what was typed, must never see "saved", and a later save must store the
 * patient exactly once.
 */
import type { Page } from '@playwright/test';
import { firstCtcId, firstCtcIdGrouped, zaituni } from './data';
import { en } from '../../src/ui/i18n/en';
import { fillTheDisk, freeTheDisk } from './disk';
import { expect, test } from './fixtures';

async function expectRegistrationFormStillHolds(page: Page) {
  const form = page.getByTestId('screen-register');
  await expect(form.locator('#givenName')).toHaveValue(zaituni.givenName);
  await expect(form.locator('#familyName')).toHaveValue(zaituni.familyName);
  await expect(form.locator('#sex-female')).toBeChecked();
  await expect(form.locator('#birthDate')).toHaveValue(zaituni.birthDate);
  await expect(form.locator('#phone')).toHaveValue(zaituni.phone ?? '');
  await expect(form.locator('#ward')).toHaveValue(zaituni.ward ?? '');
  await expect(form.locator('#maritalStatus')).toHaveValue(zaituni.maritalStatus ?? '');
  await expect(form.locator('#supporterKind')).toHaveValue(zaituni.supporterKind ?? '');
  await expect(form.locator('#supporterName')).toHaveValue(zaituni.supporterName ?? '');
  await expect(form.locator('#hivTestDate')).toHaveValue(zaituni.hivTestDate ?? '');
  await expect(form.locator('#artStartDate')).toHaveValue(zaituni.artStartDate ?? '');
  await expect(form.locator('#whoStage')).toHaveValue(zaituni.whoStage ?? '');
}

test('a full device says so, keeps the form, and a later save stores the patient once', async ({
  app,
  page,
}) => {
  await app.start();
  await app.shell.goTo('register');
  await app.register.fillPatient(zaituni);

  await fillTheDisk(page);
  await app.register.save();
  await expect(app.register.saveError).toHaveText(en.banners.storage['quota-exceeded']);
  await expect(app.register.screen).toBeVisible();
  await expect(app.shell.saveStatus).toHaveText('');
  await expectRegistrationFormStillHolds(page);

  // Pressing save again while still full fails the same way, without a second record.
  await app.register.save();
  await expect(app.register.saveButton).toBeEnabled();
  await expect(app.register.saveError).toHaveText(en.banners.storage['quota-exceeded']);
  await expect(app.shell.saveStatus).toHaveText('');

  // Nothing half-written: the patient cannot be found.
  await app.shell.goTo('home');
  await app.home.search('zaituni');
  await expect(app.home.empty).toBeVisible();

  // Back to the form: the typed values come back from the draft.
  await app.shell.goTo('register');
  await expect(app.register.draftRestored).toBeVisible();
  await expectRegistrationFormStillHolds(page);

  await freeTheDisk(page);
  await app.register.save();
  await expect(app.patient.name).toHaveText('Zaïtuni Mwakaléle');
  // The failed saves used up no CTC number.
  await expect(app.patient.ctcId).toHaveText(firstCtcIdGrouped);
  await expect(app.shell.saveStatus).toHaveText(
    en.register.saved.replace('{{ctcId}}', firstCtcIdGrouped),
  );

  await app.shell.goTo('home');
  await app.home.search('zaituni');
  await expect(app.home.hits).toHaveCount(1);
  await expect(app.home.hit(firstCtcId)).toBeVisible();

  // And so it stays after a reload (what is on disk, not in the page's memory).
  await page.reload();
  await app.home.search('zaituni');
  await expect(app.home.hits).toHaveCount(1);
  await app.home.search(zaituni.phone ?? '');
  await expect(app.home.hits).toHaveCount(1);
});
