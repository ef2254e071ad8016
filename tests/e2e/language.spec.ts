/**
 * Swahili and English: the switch in the header changes every visible string at once,
 * including validation messages, sets <html lang>, and is remembered across a reload.
 */
import { clinicDevice, zaituni } from './data';
import { en } from '../../src/ui/i18n/en';
import { sw } from '../../src/ui/i18n/sw';
import { expect, test } from './fixtures';

/** i18next-style `{{name}}` interpolation, for comparing whole sentences. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
}

test('switching to Swahili changes every screen and survives a reload', async ({ app, page }) => {
  await app.start();
  await app.registerPatient(zaituni);
  await expect(app.shell.html).toHaveAttribute('lang', 'en');
  await expect(app.patient.screen.getByTestId('action-visit')).toHaveText(en.patient.recordVisit);

  await app.shell.switchLanguage();
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');
  // The patient page, where the switch was pressed, changes in place.
  await expect(app.patient.screen.getByTestId('action-visit')).toHaveText(sw.patient.recordVisit);
  await expect(app.patient.timeline.locator('h2')).toHaveText(sw.patient.timeline);
  await expect(app.patient.status).toHaveText(/Anahudhuria/);
  // The switch now offers English, named in English.
  await expect(app.shell.langSwitch).toHaveText('English');
  await expect(app.shell.navLink('clinic')).toHaveText(sw.nav.clinic);

  await app.shell.goTo('home');
  await expect(app.home.screen.locator('h1')).toHaveText(sw.home.title);
  await app.shell.goTo('clinic');
  await expect(app.clinic.screen.locator('h1')).toContainText(sw.clinic.title);
  await app.shell.goTo('settings');
  await expect(app.settings.screen.locator('h1')).toHaveText(sw.settings.title);

  // A validation message comes in Swahili, naming the field by its Swahili label.
  await app.shell.goTo('register');
  await expect(app.register.heading).toHaveText(sw.register.title);
  await app.register.save();
  await expect(app.register.fieldError('givenName')).toHaveText(
    fill(sw.errors.required, { field: sw.fields.givenName }),
  );
  await expect(app.register.saveError).toContainText(sw.banners.invalid);

  // Switching back translates the message already on screen.
  await app.shell.switchLanguage();
  await expect(app.shell.html).toHaveAttribute('lang', 'en');
  await expect(app.register.fieldError('givenName')).toHaveText(
    fill(en.errors.required, { field: en.fields.givenName }),
  );
  await expect(app.register.heading).toHaveText(en.register.title);

  // The choice is stored with the device profile.
  await app.shell.switchLanguage();
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');
  await app.shell.goTo('home');
  await page.reload();
  await expect(app.home.screen.locator('h1')).toHaveText(sw.home.title);
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');

  await app.shell.switchLanguage();
  await expect(app.home.screen.locator('h1')).toHaveText(en.home.title);
  await page.reload();
  await expect(app.home.screen.locator('h1')).toHaveText(en.home.title);
  await expect(app.shell.html).toHaveAttribute('lang', 'en');
});

test('the setup screen can be read and answered in Swahili', async ({ app, page }) => {
  await page.goto('/');
  await expect(app.setup.heading).toHaveText(en.setup.title);

  // The language question on the form switches the screen at once.
  await app.setup.choose('language', 'sw');
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');
  await expect(app.setup.heading).toHaveText(sw.setup.title);

  await app.setup.fillDevice({ ...clinicDevice, facilityCode: '123' });
  await app.setup.save();
  await expect(app.setup.fieldError('facilityCode')).toHaveText(
    fill(sw.errors.digits_exact, { field: sw.fields.facilityCode, digits: '8' }),
  );

  await app.setup.fill('facilityCode', clinicDevice.facilityCode);
  await app.setup.save();
  await expect(app.home.screen.locator('h1')).toHaveText(sw.home.title);
  // The language chosen at setup is the one the device keeps.
  await page.reload();
  await expect(app.home.screen.locator('h1')).toHaveText(sw.home.title);
  await expect(app.shell.html).toHaveAttribute('lang', 'sw');
});

test('the header switch works on the setup screen too', async ({ app, page }) => {
  await page.goto('/');
  await expect(app.setup.heading).toHaveText(en.setup.title);

  await app.shell.switchLanguage();
  await expect(app.shell.html).toHaveAttribute('lang', 'sw', { timeout: 2_000 });
  await expect(app.setup.heading).toHaveText(sw.setup.title);
  // The form's own language question follows, so the device is set up in the language shown.
  await expect(app.setup.option('language', 'sw')).toBeChecked();
});
