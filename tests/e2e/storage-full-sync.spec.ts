/**
 * A disk that fills during sync (rules §20, W11–W12): the device that cannot store what its peer
 * sends says so on the Network screen and on every other screen, and once space is freed, sync
 * resumes by itself. Two browser contexts (two devices) over a real RTCPeerConnection.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { SignalingServer } from '../../signaling/server';
import { en } from '../../src/ui/i18n/en';
import { zaituni } from './data';
import { fillTheDisk, freeTheDisk } from './disk';
import { Device, facilityDevice, startSignaling } from './peers/devices';

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

test('W11–W12: a device that fills up during sync says so, and catches up once space is freed', async ({
  browser,
}) => {
  const a = await Device.open(browser, facilityDevice('07010123', 'Mwananyamala CTC', 'Neema'));
  const b = await Device.open(browser, facilityDevice('07010456', 'Sinza CTC', 'Baraka'));
  devices.push(a, b);
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);
  await b.expectConnectedTo(a);
  await expect(b.page.getByTestId('storage-full')).toHaveCount(0);

  await fillTheDisk(b.page);
  const ctcId = await a.app.registerPatient(zaituni);

  // B's Network screen (open since the connection check) says the disk is full.
  const networkNote = b.page.getByTestId('screen-network').getByTestId('storage-full');
  await expect(networkNote).toContainText(en.syncHealth.storageFull, { timeout: 20_000 });
  // The Network screen with its warning and sync log stays accessible.
  const { violations } = await new AxeBuilder({ page: b.page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) }))).toEqual([]);
  await expect(b.page.getByTestId('refusals')).toBeVisible();
  // And so does every other screen, with a way to the Network screen.
  await b.app.shell.open('#/');
  const banner = b.page.getByTestId('storage-full');
  await expect(banner).toContainText(en.syncHealth.storageFull);
  await expect(banner.getByRole('link')).toHaveAttribute('href', '#/network');
  await b.app.home.search('zaitu');
  await expect(b.app.home.empty).toBeVisible();

  // Space is freed: within one retry (30 s) the note goes and the patient arrives unasked.
  await freeTheDisk(b.page);
  await expect(banner).toHaveCount(0, { timeout: 45_000 });
  await b.app.home.search('zaitu');
  await expect(b.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await expect(b.app.home.hit(ctcId)).toBeVisible();
});
