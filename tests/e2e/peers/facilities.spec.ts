/**
 * The seed's scenario in real browsers: facilities exchange records directly over WebRTC.
 * Every test runs one browser context per device and checks that a peer connection carried
 * the data (the Network screen's count of open RTCPeerConnections, from the transport).
 */
import { expect, test, type Browser } from '@playwright/test';
import type { SignalingServer } from '../../../signaling/server';
import { halima, juma, zaituni } from '../data';
import { Device, facilityDevice, grouped, network, startSignaling } from './devices';

let signaling: { server: SignalingServer; url: string };
const devices: Device[] = [];

test.describe.configure({ mode: 'serial', timeout: 120_000 });

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

test("a. B finds A's patient by CTC ID and by name, records a visit, and A sees it", async ({
  browser,
}) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010456', 'Sinza CTC', 'Baraka Mollel');
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);

  const ctcId = await a.app.registerPatient(zaituni);

  await b.app.shell.open('#/');
  // Results refresh as records arrive: no need to search again.
  await b.app.home.search(grouped(ctcId));
  await expect(b.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await b.app.home.search('zaitu');
  await expect(b.app.home.hits).toHaveCount(1);
  await b.app.home.open(ctcId);
  // The record is not on B yet: B asks the network and it arrives over the peer connection.
  await expect(b.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });

  await b.app.patient.startAction('visit');
  await b.app.visit.fillVisit({
    tbScreen: 'positive',
    symptoms: ['cough', 'fever'],
    arvStatus: 'continue',
    regimen: '1r-A',
    daysSupplied: '30',
    otherMedicines: ['cotrimoxazole'],
    nextAppointment: 'suggested',
  });
  await b.app.visit.save();
  await expect(b.app.patient.screen).toBeVisible();

  const today = await a.app.today();
  await a.app.shell.open(`#/patient/${ctcId}`);
  const visit = a.app.patient.timelineEntries.filter({ hasText: 'Baraka Mollel' });
  await expect(visit).toHaveCount(1, { timeout: 20_000 });
  await expect(visit).toContainText('Sinza CTC');
  await expect(visit).toContainText(today);
  await expect(visit).toContainText('Cough');
  await expect(visit).toContainText('Fever');
  await expect(visit).toContainText('Cotrimoxazole');
  await expect(visit).toContainText('1r-A');
  await b.expectConnectedTo(a);

  // The signaling server saw only opaque topics and ciphertext: no network, facility or
  // patient name, no facility code and no CTC ID.
  const sent = [...a.signalingFrames, ...b.signalingFrames];
  expect(sent.length).toBeGreaterThan(0);
  const secrets = [
    network.name,
    // The invite's payload carries the signaling secret and the invite seed.
    b.joinedWith!.split('#/join/')[1]!.slice(0, 40),
    'Mwananyamala',
    'Sinza',
    'Zaïtuni',
    'Zaituni',
    'Mwakal',
    '07010123',
    '07010456',
    ctcId,
    a.details.userName,
  ];
  for (const frame of sent) {
    for (const secret of secrets) expect(frame).not.toContain(secret);
  }
});

test('b. B goes offline, both write to one patient, and both converge when B is back', async ({
  browser,
}) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010456', 'Sinza CTC', 'Baraka Mollel');
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);
  const ctcId = await a.app.registerPatient(juma);
  await b.app.shell.open(`#/patient/${ctcId}`);
  await expect(b.app.patient.name).toHaveText('Juma Kessy', { timeout: 20_000 });

  // The transport itself goes down (setOffline would leave WebRTC channels open).
  await b.setSync(false);
  await a.openNetwork();
  await expect(
    a.page.locator('[data-testid=network-facility][data-code="07010456"]'),
  ).toHaveAttribute('data-connected', 'false', { timeout: 20_000 });

  await a.app.shell.open(`#/patient/${ctcId}`);
  await a.app.patient.startAction('visit');
  await a.app.visit.fillVisit({ tbScreen: 'negative', arvStatus: 'not_on_art', weightKg: '70' });
  await a.app.visit.save();
  await expect(a.app.patient.screen).toBeVisible();

  await b.app.shell.open(`#/patient/${ctcId}`);
  await b.app.patient.startAction('visit');
  await b.app.visit.fillVisit({ tbScreen: 'negative', arvStatus: 'not_on_art', weightKg: '71' });
  await b.app.visit.save();
  await expect(b.app.patient.screen).toBeVisible();

  await b.setSync(true);
  for (const device of [a, b]) {
    await device.app.shell.open(`#/patient/${ctcId}`);
    await expect(device.app.patient.timelineEntries.filter({ hasText: '70 kg' })).toHaveCount(1, {
      timeout: 20_000,
    });
    await expect(device.app.patient.timelineEntries.filter({ hasText: '71 kg' })).toHaveCount(1);
  }
  await b.expectConnectedTo(a);
});

test("c. a relay carries A's new patient to C; A and C are never online together", async ({
  browser,
}) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const r = await open(browser, '07019999', 'District office', 'Relay');
  const c = await open(browser, '07010789', 'Magomeni CTC', 'Upendo Massawe');
  await a.join(signaling.url);
  await r.join(signaling.url, { relay: true, via: a });
  // A invites C now; C joins later through the relay, while A is gone (A24–A26).
  const invitationOfC = await a.invite(c.details, false);
  await a.expectConnectedTo(r);
  const ctcId = await a.app.registerPatient(halima);
  // A relay keeps a copy of every record without being asked: R's search shows the full
  // record is held there. Then A leaves the network.
  await r.app.shell.open('#/');
  await r.app.home.search('halima');
  await expect(r.app.home.hits.getByTestId('hit-held')).toHaveAttribute('data-held', 'true', {
    timeout: 20_000,
  });
  await a.setSync(false);
  await a.close();
  devices.splice(devices.indexOf(a), 1);

  await c.join(signaling.url, { link: invitationOfC });
  await c.expectConnectedTo(r);
  await c.app.shell.open('#/');
  // Results refresh as records arrive: no need to search again.
  await c.app.home.search('halima');
  await expect(c.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await c.app.home.open(ctcId);
  await expect(c.app.patient.name).toHaveText('Halima Nyerere', { timeout: 20_000 });
  await c.openNetwork();
  await expect(
    c.page.locator('[data-testid=network-facility][data-code="07010123"][data-connected=true]'),
  ).toHaveCount(0);
});

test('d. three facilities writing to one patient at once converge', async ({ browser }) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010456', 'Sinza CTC', 'Baraka Mollel');
  const c = await open(browser, '07010789', 'Magomeni CTC', 'Upendo Massawe');
  await a.join(signaling.url);
  for (const device of [b, c]) await device.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);
  await a.expectConnectedTo(c);
  const ctcId = await a.app.registerPatient(zaituni);
  for (const device of [b, c]) {
    await device.app.shell.open(`#/patient/${ctcId}`);
    await expect(device.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });
  }
  const weights = ['60', '61', '62'];
  for (const [i, device] of [a, b, c].entries()) {
    await device.app.shell.open(`#/patient/${ctcId}`);
    await device.app.patient.startAction('visit');
    await device.app.visit.fillVisit({
      tbScreen: 'negative',
      arvStatus: 'not_on_art',
      weightKg: weights[i]!,
    });
  }
  // All three press save at the same moment.
  await Promise.all([a, b, c].map((device) => device.app.visit.save()));
  for (const device of [a, b, c]) {
    await device.app.shell.open(`#/patient/${ctcId}`);
    for (const weight of weights) {
      await expect(
        device.app.patient.timelineEntries.filter({ hasText: `${weight} kg` }),
      ).toHaveCount(1, { timeout: 20_000 });
    }
  }
});

test('e. reloading a device in the middle of a sync loses nothing', async ({ browser }) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010123', 'Mwananyamala CTC', 'Asha Juma');
  b.details.deviceSlot = '2';
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);
  const names = ['Amani', 'Baraka', 'Chausiku', 'Daudi', 'Eliya', 'Fatuma'];
  const ids: string[] = [];
  for (const [i, given] of names.entries()) {
    ids.push(await a.app.registerPatient({ ...juma, givenName: given }));
    // Reload each device once while records are still flowing.
    if (i === 2) await b.page.reload();
    if (i === 4) await a.page.reload();
  }
  await b.app.shell.open('#/');
  for (const ctcId of ids) {
    await b.app.home.search(grouped(ctcId));
    await expect(b.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  }
  await b.app.shell.open(`#/patient/${ids.at(-1)}`);
  await expect(b.app.patient.name).toHaveText('Fatuma Kessy', { timeout: 20_000 });
  await b.expectConnectedTo(a);
});

test('f. devices of another network (same name, other secret) never connect', async ({
  browser,
}) => {
  const a = await open(browser, '07010123', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '07010456', 'Sinza CTC', 'Baraka Mollel');
  const outsider = await open(browser, '07010789', 'Magomeni CTC', 'Upendo Massawe');
  // The outsider starts a network of its own under the same name: another root, another secret.
  await outsider.join(signaling.url);
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await a.expectConnectedTo(b);
  const ctcId = await a.app.registerPatient(zaituni);
  // The positive control: B, in the network, receives the patient...
  await b.app.shell.open('#/');
  await b.app.home.search(grouped(ctcId));
  await expect(b.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  // ...while the outsider, on the same signaling server all along, has no connection and no data.
  await outsider.openNetwork();
  await expect(outsider.page.getByTestId('peer-connections')).toHaveAttribute('data-count', '0');
  await expect(
    outsider.page.locator('[data-testid=network-facility][data-connected=true]'),
  ).toHaveCount(0);
  await outsider.app.shell.open('#/');
  await outsider.app.home.search(grouped(ctcId));
  await expect(outsider.app.home.empty).toBeVisible();
});
