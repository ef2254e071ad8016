/**
 * Signed changes in real browsers (issue 8 point 12; protocol §23 SC1–SC24, the role table
 * WR1–WR26 in docs/security.md): one browser context per device, over WebRTC and a local
 * signaling server. A relay carries what A and B signed to C byte for byte. Then devices run
 * "modified software" (evil.ts): a change their screens would never make is signed with their
 * own key, written into their own IndexedDB, and offered to their peers, which refuse it with a
 * typed reason shown on the Network screen, keep their record as it was, and go on syncing.
 */
import { randomUUID } from 'node:crypto';
import { expect, test, type Browser, type ConsoleMessage } from '@playwright/test';
import type * as Y from 'yjs';
import type { SignalingServer } from '../../../signaling/server';
import { patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendEntry } from '../../../src/crdt/patient-doc';
import type { CtcId, Entry, EntryId, FacilityCode } from '../../../src/domain/types';
import { en } from '../../../src/ui/i18n/en';
import { zaituni } from '../data';
import { Device, facilityDevice, grouped, startSignaling } from './devices';
import {
  identityOf,
  plant,
  signedChange,
  spareClientId,
  storedChanges,
  storedDoc,
  updateOn,
} from './evil';

let signaling: { server: SignalingServer; url: string };
const devices: Device[] = [];

test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  signaling = await startSignaling();
});

test.afterAll(async () => {
  for (const device of devices.splice(0)) await device.close();
  await signaling.server.close();
});

/** No device threw, whatever it was sent. */
const expectNoPageErrors = () => {
  for (const device of devices) {
    expect(device.errors, `uncaught errors on ${device.details.facilityName}`).toEqual([]);
  }
};

async function open(browser: Browser, code: string, name: string, user: string) {
  const device = await Device.open(browser, facilityDevice(code, name, user));
  devices.push(device);
  return device;
}

async function closeDevice(device: Device): Promise<void> {
  await device.setSync(false);
  await device.close();
  devices.splice(devices.indexOf(device), 1);
}

/** What a device's sync log says it refused (the app logs each refusal to the console). */
interface LoggedRefusal {
  docId: string;
  reason: string;
  detail: string;
}
function refusalLog(device: Device): LoggedRefusal[] {
  const log: LoggedRefusal[] = [];
  device.page.on('console', (message: ConsoleMessage) => {
    if (!message.text().startsWith('[sync] sync.update-refused')) return;
    void message
      .args()[1]
      ?.jsonValue()
      .then((details: LoggedRefusal) => log.push(details))
      .catch(() => undefined);
  });
  return log;
}

/** The reasons (`data-reason`) of the refusals listed on the device's Network screen. */
async function shownRefusals(device: Device): Promise<string[]> {
  await device.openNetwork();
  const items = device.page.getByTestId('refusal');
  const reasons: string[] = [];
  for (const item of await items.all()) reasons.push((await item.getAttribute('data-reason'))!);
  return reasons;
}

/** Reloads the page, so the device starts again from what its storage holds. */
async function reopen(device: Device): Promise<void> {
  await device.page.reload();
  await device.app.shell.open('#/');
  await expect(device.app.home.screen).toBeVisible();
}

const visitTemplate = { tbScreen: 'negative', arvStatus: 'not_on_art' } as const;

async function recordVisit(device: Device, ctcId: string, weightKg: string): Promise<void> {
  await device.app.shell.open(`#/patient/${ctcId}`);
  await expect(device.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });
  await device.app.patient.startAction('visit');
  await device.app.visit.fillVisit({ ...visitTemplate, weightKg });
  await device.app.visit.save();
  await expect(device.app.patient.screen).toBeVisible();
}

async function expectVisitShown(device: Device, ctcId: string, text: string): Promise<void> {
  await device.app.shell.open(`#/patient/${ctcId}`);
  await expect(device.app.patient.timelineEntries.filter({ hasText: text })).toHaveCount(1, {
    timeout: 20_000,
  });
}

/** A copy of `entry` as a new entry (its own id), stamped by `stamp`'s fields. */
const copyOf = (entry: Entry, stamp: Partial<Entry['stamp']> = {}): Entry => ({
  ...entry,
  id: randomUUID() as EntryId,
  stamp: { ...entry.stamp, ...stamp },
});

const visitsOf = (doc: Y.Doc) => doc.getArray<Entry>('visits');

test('SC1 SC14 SC15: a relay carries what A and B signed to C, byte for byte, while A and B are gone', async ({
  browser,
}) => {
  const a = await open(browser, '01020003', 'Mwananyamala CTC', 'Neema Mushi');
  const b = await open(browser, '01020004', 'Sinza CTC', 'Baraka Mollel');
  const r = await open(browser, '01029999', 'District office', 'Relay');
  const c = await open(browser, '01020005', 'Mburahati CTC', 'Upendo Massawe');
  await a.join(signaling.url);
  await b.join(signaling.url, { via: a });
  await r.join(signaling.url, { relay: true, via: a });
  // C is invited now and joins later through the relay, while A and B are gone.
  const invitationOfC = await a.invite(c.details, false);
  await a.expectConnectedTo(b);
  await a.expectConnectedTo(r);
  const ctcId = await a.app.registerPatient(zaituni);
  const docId = patientDocId(ctcId as CtcId);
  await recordVisit(b, ctcId, '61');
  const [idOfA, idOfB] = [await identityOf(a.page), await identityOf(b.page)];

  // B holds A's registration and its own visit, each signed by its author (and maybe the
  // access log of whoever served it the record, WR26); R gets the same bytes.
  await expect
    .poll(async () => (await storedChanges(b.page, docId)).map((x) => x.author), {
      timeout: 20_000,
    })
    .toEqual(expect.arrayContaining([idOfA.deviceId, idOfB.deviceId]));
  const atB = await storedChanges(b.page, docId);
  const hexesAt = async (device: Device) =>
    new Set((await storedChanges(device.page, docId)).map((x) => x.hex));
  await expect
    .poll(
      async () => {
        const held = await hexesAt(r);
        return atB.filter((x) => !held.has(x.hex)).length;
      },
      { timeout: 20_000 },
    )
    .toBe(0);
  await closeDevice(a);
  await closeDevice(b);

  await c.join(signaling.url, { link: invitationOfC });
  await c.expectConnectedTo(r);
  // The register comes first, then the record (the record screen fetches only what it can find).
  await c.app.shell.open('#/');
  await c.app.home.search(grouped(ctcId));
  await expect(c.app.home.hits).toHaveCount(1, { timeout: 20_000 });
  await c.app.home.open(ctcId);
  await expect(c.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });
  await expect(c.app.patient.timelineEntries.filter({ hasText: 'Baraka Mollel' })).toHaveCount(1, {
    timeout: 20_000,
  });
  // Every change B held reached C unchanged: A's and B's own signatures, through R.
  const atC = await storedChanges(c.page, docId);
  const heldByC = new Set(atC.map((x) => x.hex));
  expect(atB.filter((x) => !heldByC.has(x.hex))).toEqual([]);
  expect(atC.some((x) => x.author === idOfA.deviceId)).toBe(true);
  expect(atC.some((x) => x.author === idOfB.deviceId)).toBe(true);
  // Neither author was ever online with C.
  await c.openNetwork();
  for (const code of ['01020003', '01020004']) {
    await expect(
      c.page.locator(`[data-testid=network-facility][data-code="${code}"][data-connected=true]`),
    ).toHaveCount(0);
  }
  expectNoPageErrors();
  for (const device of devices.splice(0)) await device.close();
});

test.describe('modified software on a member device', () => {
  // The hostile cases share one network: each goes on from where the one before left it.
  test.describe.configure({ mode: 'serial' });

  /** The world the hostile cases share: founder A, B of another facility, relay R, one patient. */
  interface World {
    a: Device;
    b: Device;
    r: Device;
    refusedAtA: LoggedRefusal[];
    refusedAtR: LoggedRefusal[];
    ctcId: string;
    docId: DocId;
    register: DocId;
  }
  let world: World | undefined;

  /** The shared world, made by the first case that runs (each case can also run alone). */
  async function sharedWorld(browser: Browser): Promise<World> {
    if (world) return world;
    const a = await open(browser, '01020003', 'Mwananyamala CTC', 'Neema Mushi');
    const b = await open(browser, '01020004', 'Sinza CTC', 'Baraka Mollel');
    const r = await open(browser, '01029999', 'District office', 'Relay');
    const refusedAtA = refusalLog(a);
    const refusedAtR = refusalLog(r);
    await a.join(signaling.url);
    await b.join(signaling.url, { via: a });
    await r.join(signaling.url, { relay: true, via: a });
    await a.expectConnectedTo(b);
    await a.expectConnectedTo(r);
    const ctcId = await a.app.registerPatient(zaituni);
    const docId = patientDocId(ctcId as CtcId);
    const register = registerDocId('01020003' as FacilityCode);
    await recordVisit(a, ctcId, '60');
    await recordVisit(b, ctcId, '61');
    await expectVisitShown(a, ctcId, '61 kg');
    world = { a, b, r, refusedAtA, refusedAtR, ctcId, docId, register };
    return world;
  }

  test('SC7 WR15 U6: a forged signature, a rename in another facility’s register and a visit delete are refused by every peer; the session goes on', async ({
    browser,
  }) => {
    world = await sharedWorld(browser);
    const { a, b, r, refusedAtA, refusedAtR, ctcId, docId, register } = world;

    // Modified software at B, from what B stored: three changes its screens never offer.
    const idOfB = await identityOf(b.page);
    const record = await storedDoc(b.page, docId);
    const registerAtB = await storedDoc(b.page, register);
    const visits = visitsOf(record).toArray();
    const visitOfB = visits.find((v) => v.stamp.deviceId === idOfB.deviceId)!;
    const firstOfA = visits.findIndex((v) => v.stamp.facilityCode === '01020003');
    expect(visitOfB).toBeDefined();
    expect(firstOfA).toBeGreaterThanOrEqual(0);
    // Each is made on B's stored state as it is (not on each other) and inserted at the front, so
    // B's later honest visit, appended at the end, depends on nothing A refused.
    const forged = await signedChange(
      b.page,
      idOfB,
      docId,
      updateOn(record, spareClientId(idOfB, 0), (d) => visitsOf(d).insert(0, [copyOf(visitOfB)])),
      { forge: true },
    );
    const renamed = await signedChange(
      b.page,
      idOfB,
      register,
      updateOn(registerAtB, spareClientId(idOfB, 0), (d) => {
        const summary = d.getMap('patients').get(ctcId) as Y.Map<unknown>;
        summary.set('givenName', 'Someone');
      }),
    );
    // A bare delete reaches no clock, so it is never offered in a catch-up (SC15): it comes with
    // a visit of B's own, which is what makes B offer it.
    const deleted = await signedChange(
      b.page,
      idOfB,
      docId,
      updateOn(record, spareClientId(idOfB, 1), (d) => {
        visitsOf(d).delete(firstOfA, 1);
        visitsOf(d).insert(0, [copyOf(visitOfB)]);
      }),
    );
    await plant(b.page, [forged, renamed, deleted]);
    await reopen(b);

    // A and R each refuse all three, with the reason named on the Network screen.
    const wanted = ['bad-signature', 'write-rule', 'deletion'];
    for (const device of [a, r]) {
      await expect
        .poll(
          async () => {
            const shown = await shownRefusals(device);
            return wanted.filter((x) => !shown.includes(x));
          },
          { timeout: 30_000 },
        )
        .toEqual([]);
    }
    // The sync log of each names the rule: the signature, the register row (WR15), the delete.
    const logged = (log: LoggedRefusal[]) =>
      log.map((x) => `${x.docId} ${x.reason} ${x.detail.split(' ')[0]}`);
    for (const log of [refusedAtA, refusedAtR]) {
      await expect
        .poll(() => logged(log), { timeout: 10_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^${docId} bad-signature `)),
            expect.stringMatching(new RegExp(`^${docId} deletion `)),
            `${register} write-rule WR15`,
          ]),
        );
    }
    // A's record is as it was: its own visit, B's visit, the name it registered.
    await a.app.shell.open(`#/patient/${ctcId}`);
    await expect(a.app.patient.name).toHaveText('Zaïtuni Mwakaléle');
    await expect(a.app.patient.timelineEntries.filter({ hasText: '60 kg' })).toHaveCount(1);
    await expect(a.app.patient.timelineEntries.filter({ hasText: '61 kg' })).toHaveCount(1);
    await a.app.shell.open('#/');
    await a.app.home.search('someone');
    await expect(a.app.home.empty).toBeVisible();

    // The session with B goes on: B's next honest visit reaches A.
    await recordVisit(b, ctcId, '62');
    await expectVisitShown(a, ctcId, '62 kg');
    await expect(a.app.patient.timelineEntries.filter({ hasText: '60 kg' })).toHaveCount(1);
    expectNoPageErrors();
  });

  /** As admin `admin`: a supervisor invite for one district; returns the new link. */
  async function inviteSupervisor(admin: Device, district: string): Promise<string> {
    await admin.openNetwork();
    const form = admin.page.getByTestId('invite-form');
    const link = admin.page.getByTestId('invite-link');
    const previous = (await link.count()) > 0 ? await link.inputValue() : '';
    await form.locator('#role').selectOption('supervisor');
    await form.locator('#scopeDistrict').fill(district);
    await form.getByTestId('invite-button').click();
    await expect(link).toHaveValue(/#\/join\//);
    await expect(link).not.toHaveValue(previous);
    return link.inputValue();
  }

  test('WR1 A21: a supervisor opens its link and reads the record without any write action; its forced write, sent or carried, is refused by every peer', async ({
    browser,
  }) => {
    const { a, b, r, refusedAtA, refusedAtR, ctcId, docId } = await sharedWorld(browser);
    const link = await inviteSupervisor(a, 'Kinondoni');
    const s = await Device.open(browser, {
      ...facilityDevice('', 'Kinondoni', 'Mwanaidi Said'),
      role: 'supervisor',
    });
    devices.push(s);
    // Whichever member it meets first checks its invite, the relay included (WR25).
    await s.page.goto(link);
    await expect(s.page.getByTestId('join-invite')).toBeVisible();
    await s.app.setup.fill('userName', s.details.userName);
    await s.app.setup.save();
    await expect(s.app.home.screen).toBeVisible();
    await a.openNetwork();
    await expect(a.page.getByTestId('member').filter({ hasText: 'Supervisor' })).toHaveCount(1, {
      timeout: 20_000,
    });
    await s.expectConnectedTo(r);

    // The register arrives, then the record, which reads as read-only: no write action anywhere.
    await s.app.shell.open('#/');
    await s.app.home.search(grouped(ctcId));
    await expect(s.app.home.hits).toHaveCount(1, { timeout: 20_000 });
    await s.app.home.open(ctcId);
    await expect(s.app.patient.name).toHaveText('Zaïtuni Mwakaléle', { timeout: 20_000 });
    await expect(s.app.patient.timelineEntries.filter({ hasText: '62 kg' })).toHaveCount(1, {
      timeout: 20_000,
    });
    await expect(s.app.patient.screen.getByText(en.patient.readOnly)).toBeVisible();
    for (const action of ['visit', 'result', 'appointment', 'edit', 'status']) {
      await expect(s.page.getByTestId(`action-${action}`)).toHaveCount(0);
    }
    await s.app.shell.open('#/register');
    await expect(
      s.page.getByTestId('screen-register').getByText(en.patient.readOnly),
    ).toBeVisible();

    // Modified software at S writes a visit anyway, signed by S's own key; a second tab of S
    // announces it, so S forwards it at once (its own catch-up answers are empty, A21).
    await expect
      .poll(async () => (await storedChanges(s.page, docId)).length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const idOfS = await identityOf(s.page);
    const record = await storedDoc(s.page, docId);
    const template = visitsOf(record).get(0);
    const write = await signedChange(
      s.page,
      idOfS,
      docId,
      updateOn(record, spareClientId(idOfS, 0), (d) =>
        appendEntry(d, copyOf(template, { deviceId: idOfS.deviceId, userName: 'Mwanaidi Said' })),
      ),
    );
    const before = { a: refusedAtA.length, r: refusedAtR.length };
    await plant(s.page, [write], { announce: true });
    const byS = (log: LoggedRefusal[], from: number) =>
      log
        .slice(from)
        .filter((x) => x.docId === docId && /^(read-only-role|write-rule)$/.test(x.reason))
        .map((x) => `${x.reason} ${x.detail}`);
    for (const [device, log, from] of [
      [a, refusedAtA, before.a],
      [r, refusedAtR, before.r],
    ] as const) {
      await expect.poll(() => byS(log, from).length, { timeout: 20_000 }).toBeGreaterThan(0);
      expect(byS(log, from).join('\n')).toMatch(new RegExp(`${idOfS.deviceId}|WR1 `));
      expect(await shownRefusals(device)).toEqual(expect.arrayContaining(['read-only-role']));
    }
    // The same change carried by B (modified too): judged by its signer, S, and refused (WR1).
    const carried = refusedAtA.length;
    await plant(b.page, [write]);
    await reopen(b);
    await expect
      .poll(
        () =>
          refusedAtA
            .slice(carried)
            .filter((x) => x.docId === docId && x.reason === 'write-rule')
            .map((x) => x.detail),
        { timeout: 30_000 },
      )
      .toContainEqual(expect.stringMatching(/^WR1 /));
    await a.app.shell.open(`#/patient/${ctcId}`);
    await expect(a.app.patient.timelineEntries.filter({ hasText: 'Mwanaidi' })).toHaveCount(0);
    expectNoPageErrors();
    await closeDevice(s);
  });

  test('WR3: a revoked device’s later change, carried by another member, is refused by every peer', async ({
    browser,
  }) => {
    const { a, b, r, refusedAtA, refusedAtR, ctcId, docId } = await sharedWorld(browser);
    const d = await open(browser, '01020005', 'Mburahati CTC', 'Upendo Massawe');
    await d.join(signaling.url, { via: a });
    await a.expectConnectedTo(d);
    const idOfD = await identityOf(d.page);

    await a.openNetwork();
    const rowOfD = a.page.locator('[data-testid=member][data-revoked=false]').filter({
      hasText: 'Mburahati CTC',
    });
    await rowOfD.getByTestId('revoke-button').click();
    await a.page.getByTestId('revoke-confirm').click();
    await expect(
      a.page
        .locator('[data-testid=member][data-revoked=true]')
        .filter({ hasText: 'Mburahati CTC' }),
    ).toHaveCount(1);
    await d.openNetwork();
    await expect(d.page.getByTestId('trust-state')).toHaveAttribute('data-kind', 'revoked', {
      timeout: 20_000,
    });
    for (const device of [b, r]) {
      await device.openNetwork();
      await expect(
        device.page
          .locator('[data-testid=member][data-revoked=true]')
          .filter({ hasText: 'Mburahati CTC' }),
      ).toHaveCount(1, { timeout: 20_000 });
    }

    // D's key signs a visit after its revocation, made on the record as every honest peer holds
    // it (A's copy; B's own holds what A refused, which A could not place a change after). B,
    // modified, stores the change and offers it to its peers.
    const record = await storedDoc(a.page, docId);
    const template = visitsOf(record)
      .toArray()
      .find((v) => v.stamp.facilityCode === '01020004')!;
    const late = await signedChange(
      d.page,
      idOfD,
      docId,
      updateOn(record, spareClientId(idOfD, 0), (doc) =>
        appendEntry(
          doc,
          copyOf(template, {
            deviceId: idOfD.deviceId,
            facilityCode: '01020005' as FacilityCode,
            userName: d.details.userName,
          }),
        ),
      ),
    );
    const before = { a: refusedAtA.length, r: refusedAtR.length };
    await plant(b.page, [late]);
    await reopen(b);
    for (const [device, log, from] of [
      [a, refusedAtA, before.a],
      [r, refusedAtR, before.r],
    ] as const) {
      await expect
        .poll(
          () =>
            log
              .slice(from)
              .filter((x) => x.docId === docId && x.reason === 'write-rule')
              .map((x) => x.detail),
          { timeout: 30_000 },
        )
        .toContainEqual(expect.stringMatching(/^WR3 /));
      expect(await shownRefusals(device)).toEqual(expect.arrayContaining(['write-rule']));
    }
    await a.app.shell.open(`#/patient/${ctcId}`);
    await expect(a.app.patient.timelineEntries.filter({ hasText: 'Upendo Massawe' })).toHaveCount(
      0,
    );
    // B's honest visit of the shared world is still there.
    await expect(a.app.patient.timelineEntries.filter({ hasText: '61 kg' })).toHaveCount(1);
    expectNoPageErrors();
  });
});
