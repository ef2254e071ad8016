/**
 * Two tabs of one device (one browser context: shared storage) stay in sync over
 * BroadcastChannel, with no network joined and no peer connection.
 */
import { expect, test } from '@playwright/test';
import { juma } from '../data';
import { Pamoja } from '../fixtures';
import { facilityDevice } from './devices';

test('a patient registered in one tab appears in the other tab of the same device', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const first = new Pamoja(await context.newPage());
  await first.start(facilityDevice('07010123', 'Mwananyamala CTC', 'Neema Mushi'));
  const second = new Pamoja(await context.newPage());
  await second.page.goto('/');
  await expect(second.home.screen).toBeVisible();
  await second.home.search('juma');
  await expect(second.home.hits).toHaveCount(0);

  const ctcId = await first.registerPatient(juma);
  // The second tab's open search refreshes when the record arrives from the first tab.
  await expect(second.home.hits).toHaveCount(1, { timeout: 15_000 });
  await second.home.open(ctcId);
  await expect(second.patient.name).toHaveText('Juma Kessy');

  // A visit recorded in the second tab shows in the first tab's open record.
  await first.shell.open(`#/patient/${ctcId}`);
  await second.patient.startAction('visit');
  await second.visit.fillVisit({ tbScreen: 'negative', arvStatus: 'not_on_art', weightKg: '68' });
  await second.visit.save();
  await expect(first.patient.timelineEntries.filter({ hasText: '68 kg' })).toHaveCount(1, {
    timeout: 15_000,
  });
  await context.close();
});

test('two tabs of one device registering at the same moment get different CTC IDs', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const first = new Pamoja(await context.newPage());
  await first.start(facilityDevice('07010123', 'Mwananyamala CTC', 'Neema Mushi'));
  const second = new Pamoja(await context.newPage());
  await second.page.goto('/');
  await expect(second.home.screen).toBeVisible();
  for (const [tab, given] of [
    [first, 'Amani'],
    [second, 'Baraka'],
  ] as const) {
    await tab.shell.goTo('register');
    await tab.register.fillPatient({ ...juma, givenName: given });
  }
  await Promise.all([first.register.save(), second.register.save()]);
  await expect(first.patient.name).toHaveText('Amani Kessy');
  await expect(second.patient.name).toHaveText('Baraka Kessy');
  const ids = [await first.patient.currentCtcId(), await second.patient.currentCtcId()];
  expect(new Set(ids).size).toBe(2);
  await context.close();
});
