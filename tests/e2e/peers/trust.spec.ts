/**
 * Trust in real browsers (issue 8 point 12; protocol §21–§22): one browser context per device.
 * An admin starts a network, invites one facility by link and another by a photo of the QR code;
 * a fetched record logs who fetched it; a revoked device is cut off, told, and gets nothing new.
 */
import { expect, test, type Browser } from '@playwright/test';
import type { SignalingServer } from '../../../signaling/server';
import { halima, zaituni } from '../data';
import { Device, facilityDevice, grouped, startSignaling } from './devices';

let signaling: { server: SignalingServer; url: string };
const devices: Device[] = [];

test.describe.configure({ mode: 'serial', timeout: 150_000 });

test.beforeAll(async () => {
  signaling = await startSignaling();
});

test.afterAll(async () => {
  await signaling.server.close();
});

test.afterEach(async () => {
  for (const device of devices.splice(0)) {
    expect(device.errors, `uncaught errors on ${device.details.facilityName}`).toEqual([]);
    await device.close();
  }
});

async function open(browser: Browser, code: string, name: string, user: string) {
  const device = await Device.open(browser, facilityDevice(code, name, user));
  devices.push(device);
  return device;
}

test('g. invites by link and by QR code; a fetch is logged; a revoked device is cut off and told', async ({
  browser,
}) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010456', 'Sinza CTC', 'Baraka Mollel');
  const c = await open(browser, '07010789', 'Magomeni CTC', 'Upendo Massawe');
  await a.join(signaling.url);
  await a.openNetwork();
  await expect(a.page.getByTestId('trust-state')).toHaveAttribute('data-kind', 'member');
  await b.join(signaling.url, { via: a });

  // C is set up first, then joins by a photo of the QR code A shows on its screen.
  await c.app.start(c.details);
  await a.invite(c.details, false);
  const photo = await a.page.getByTestId('invite-qr').screenshot();
  await c.app.shell.open('#/join');
  await expect(c.page.getByTestId('screen-join')).toBeVisible();
  await c.page.getByTestId('scan-qr').setInputFiles({
    name: 'invite.png',
    mimeType: 'image/png',
    buffer: photo,
  });
  await expect(c.page.locator('#inviteLink')).toHaveValue(/#\/join\//);
  await c.page.getByTestId('join-button').click();
  await expect(c.page.getByTestId('screen-network')).toBeVisible();

  await a.expectConnectedTo(b);
  await a.expectConnectedTo(c);
  await c.openNetwork();
  await expect(c.page.getByTestId('trust-state')).toHaveAttribute('data-kind', 'member');
  // Every device lists the same three devices, and A lists itself as admin.
  await a.openNetwork();
  await expect(a.page.getByTestId('member')).toHaveCount(3);

  // B fetches A's patient; A's copy of the record then says who fetched it.
  const ctcId = await a.app.registerPatient(zaituni);
  await b.app.shell.open('#/');
  await b.app.home.search(grouped(ctcId));
  await expect(b.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await b.app.home.open(ctcId);
  await expect(b.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });
  await a.app.shell.open(`#/patient/${ctcId}`);
  const logged = a.page.getByTestId('access-entry');
  await expect(logged).toHaveCount(1, { timeout: 20_000 });
  await expect(logged).toContainText('Sinza CTC');
  // AL1: and who was signed in on the device that asked.
  await expect(logged).toContainText(b.details.userName);

  // A revokes B: B is cut off at once, told why, and gets nothing written afterwards.
  await a.openNetwork();
  const rowOfB = a.page.locator('[data-testid=member][data-revoked=false]').filter({
    hasText: 'Sinza CTC',
  });
  await rowOfB.getByTestId('revoke-button').click();
  await a.page.getByTestId('revoke-confirm').click();
  await expect(
    a.page.locator('[data-testid=member][data-revoked=true]').filter({ hasText: 'Sinza CTC' }),
  ).toHaveCount(1);
  await b.openNetwork();
  await expect(b.page.getByTestId('trust-state')).toHaveAttribute('data-kind', 'revoked', {
    timeout: 20_000,
  });
  const later = await a.app.registerPatient(halima);
  await c.app.shell.open('#/');
  await c.app.home.search(grouped(later));
  await expect(c.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await b.app.shell.open('#/');
  await b.app.home.search(grouped(later));
  await expect(b.app.home.empty).toBeVisible();
  await b.openNetwork();
  await expect(b.page.getByTestId('peer-connections')).toHaveAttribute('data-count', '0');
});
