/**
 * Issue 10 on the built app: the care and report screens load with their own strings
 * (en-screens.ts, fetched after the first screen), the record shows its care card, and a
 * registration made today is counted in this month's report, whose number opens the patient.
 */
import { firstCtcIdGrouped, zaituni } from './data';
import { enScreens } from '../../src/ui/i18n/en-screens';
import { expect, test } from './fixtures';

test('a new patient is on the record care card, in the follow-up screens and in the month report', async ({
  app,
  page,
}) => {
  await app.start();
  await app.registerPatient(zaituni);
  await expect(page.getByTestId('care-alerts')).toBeVisible();

  await page.goto('/#/');
  await expect(page.getByTestId('home-follow-up')).toBeVisible();
  await page.getByTestId('home-follow-up-all').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(enScreens.care.title);

  const month = (await app.today()).slice(0, 7);
  await page.goto(`/#/report/${month}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(enScreens.reports.title);
  const enrolled = page.locator(
    '[data-testid="report-count"][data-indicator="new_enrolments"][data-split="total"]',
  );
  await expect(enrolled.first()).toHaveText('1');
  await enrolled.first().click();
  const listed = page.getByTestId('report-patient');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText(`${zaituni.givenName} ${zaituni.familyName}`);
  await expect(listed).toContainText(firstCtcIdGrouped);
});
