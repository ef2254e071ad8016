/**
 * Offline: once the app has been opened, it starts and works with no network at all. The app
 * shell comes from the service worker's precache, the records from IndexedDB.
 */
import { halima, zaituni } from './data';
import { en } from '../../src/ui/i18n/en';
import { expect, test } from './fixtures';
import { reloadUnderServiceWorker, waitForPrecache } from './service-worker';

test('with no network the app starts, finds earlier patients and registers new ones', async ({
  app,
  page,
  context,
}) => {
  await app.start();
  const first = await app.registerPatient(zaituni);

  // index.html, the bundle, the manifest, the icons: the whole shell must be cached.
  expect(await waitForPrecache(page)).toBeGreaterThanOrEqual(5);
  await reloadUnderServiceWorker(page);

  await context.setOffline(true);
  // Really offline: the server cannot be reached from the page.
  const reachable = await page.evaluate(() =>
    fetch(`/never-cached-${Date.now()}`).then(
      () => true,
      () => false,
    ),
  );
  expect(reachable).toBe(false);

  await page.reload();
  await expect(app.patient.name).toHaveText('Zaïtuni Mwakaléle');
  await app.shell.goTo('home');
  await app.home.search('zaitu');
  await expect(app.home.hits).toHaveCount(1);
  await expect(app.home.hit(first)).toBeVisible();

  // A fresh start offline (the root URL, not the hash route) still works.
  await page.goto('/');
  await expect(app.home.screen).toBeVisible();

  const second = await app.registerPatient(halima);
  await expect(app.shell.saveStatus).toContainText('Patient registered.');
  expect(second).not.toBe(first);
  await app.patient.startAction('appointment');
  await app.appointment.fillAppointment({ date: await app.today(), purpose: 'clinic' });
  await app.appointment.save();
  await expect(app.shell.saveStatus).toHaveText(en.common.saved);

  await page.reload();
  await expect(app.patient.name).toHaveText('Halima Nyerere');
  await expect(app.patient.entries('appointment')).toHaveCount(1);
  await app.shell.goTo('home');
  await app.home.search('0754 111 222');
  await expect(app.home.hits).toHaveCount(1);
  await expect(app.home.hit(second)).toBeVisible();
  await context.setOffline(false);
});
