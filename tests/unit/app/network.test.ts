/**
 * The seed's scenario headless: real repositories and stores on each device, the replication
 * engine over the in-memory network. (The browser version over WebRTC is in tests/e2e.)
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from '../../../src/sync';
import type { CtcId } from '../../../src/domain/types';
import { aminaForm, testClock, visitForm } from './harness';
import { createNetworkedDevice, settle } from './device';

function device(
  net: ReturnType<typeof createMemoryNetwork>,
  name: string,
  facility: { code: string; name: string },
  relay = false,
  clock = testClock('2026-03-10T09:00:00.000Z'),
) {
  return createNetworkedDevice(net, {
    name,
    clock,
    relay,
    requestTimeoutMs: 2_000,
    setup: {
      facilityCode: facility.code,
      facilityName: facility.name,
      userName: `Clinician ${name}`,
    },
  });
}

describe('facilities connected (headless)', () => {
  it("B finds A's patient, fetches the record, records a visit; A sees who, when, what", async () => {
    const net = createMemoryNetwork({ seed: 1, delivery: 'microtask' });
    const a = await device(net, 'a', { code: '01020003', name: 'Mbezi CTC' });
    const b = await device(net, 'b', { code: '01020004', name: 'Temeke CTC' });
    net.link('a', 'b');
    await settle(net, a, b);

    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error(JSON.stringify(registered.error));
    const ctcId: CtcId = registered.value;
    await settle(net, a, b);

    // B finds the patient in the network directory but does not hold the record yet.
    const hits = await b.service.search('amina');
    expect(hits.map((h) => [h.ctcId, h.held])).toEqual([[ctcId, false]]);
    expect((await b.service.search(ctcId)).length).toBe(1);
    expect(await b.service.getPatient(ctcId)).toBeUndefined();

    expect(await b.network.requestRecord(ctcId)).toBe('received');
    expect((await b.service.getPatient(ctcId))?.demographics.givenName).toBe('Amina');

    const visit = await b.service.recordVisit(
      ctcId,
      visitForm('2026-03-10', '2026-04-09', {
        symptoms: ['cough'],
        otherMedicines: ['cotrimoxazole'],
      }),
    );
    expect(visit.ok).toBe(true);
    await settle(net, a, b);

    const seenAtA = await a.service.getPatient(ctcId);
    expect(seenAtA?.visits).toHaveLength(1);
    expect(seenAtA?.visits[0]).toMatchObject({
      stamp: { userName: 'Clinician b', facilityCode: '01020004' },
      data: {
        date: '2026-03-10',
        symptoms: ['cough'],
        otherMedicines: ['cotrimoxazole'],
        regimen: '1r-A',
      },
    });
    expect(seenAtA?.facilityNames['01020004']).toBe('Temeke CTC');
    // The register summary at A shows where the patient was last seen.
    expect((await a.service.search('amina'))[0]?.facilityCode).toBe('01020003');

    const view = a.network.status();
    expect(view.facilities.find((f) => f.code === '01020004')).toMatchObject({
      name: 'Temeke CTC',
      connected: true,
    });
    expect(view.facilities.find((f) => f.code === '01020004')?.lastReceivedAt).toBeDefined();
  });

  it('turning sync off tears the connection down; edits made apart merge when it comes back', async () => {
    const net = createMemoryNetwork({ seed: 2, delivery: 'microtask' });
    const a = await device(net, 'a', { code: '01020003', name: 'Mbezi CTC' });
    const b = await device(net, 'b', { code: '01020003', name: 'Mbezi CTC' });
    net.link('a', 'b');
    await settle(net, a, b);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register failed');
    const ctcId = registered.value;
    await settle(net, a, b);
    expect((await b.service.getPatient(ctcId))?.demographics.familyName).toBe('Mwakyusa');

    b.network.setSyncEnabled(false);
    net.unlink('a', 'b');
    await settle(net, a, b);
    expect(b.network.status().syncEnabled).toBe(false);

    await a.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09'));
    await b.service.editDemographics(ctcId, { ...aminaForm, phone: '0755 111 222' });

    b.network.setSyncEnabled(true);
    net.link('a', 'b');
    await settle(net, a, b);
    for (const d of [a, b]) {
      const view = await d.service.getPatient(ctcId);
      expect(view?.visits).toHaveLength(1);
      expect(view?.demographics.phone).toBe('0755 111 222');
    }
  });

  it("a relay carries A's new patient to C; A and C are never connected", async () => {
    const net = createMemoryNetwork({ seed: 3, delivery: 'microtask' });
    const a = await device(net, 'a', { code: '01020003', name: 'Mbezi CTC' });
    const r = await device(net, 'r', { code: '01020009', name: 'District relay' }, true);
    const c = await device(net, 'c', { code: '01020005', name: 'Kigamboni CTC' });
    net.link('a', 'r');
    await settle(net, a, r, c);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register failed');
    await a.service.recordVisit(registered.value, visitForm('2026-03-10', '2026-04-09'));
    await settle(net, a, r, c);
    net.unlink('a', 'r');
    net.link('r', 'c');
    await settle(net, a, r, c);
    expect(net.isConnected('a', 'c')).toBe(false);
    expect((await c.service.search('amina')).map((h) => h.ctcId)).toEqual([registered.value]);
    expect(await c.network.requestRecord(registered.value)).toBe('received');
    expect((await c.service.getPatient(registered.value))?.visits).toHaveLength(1);
    // C's "data as of" for A comes from A's data, carried by R: A is known though never met.
    const facilities = c.network.status().facilities;
    expect(facilities.find((f) => f.code === '01020003')).toMatchObject({ connected: false });
    expect(facilities.find((f) => f.code === '01020003')?.lastReceivedAt).toBeDefined();
    expect(facilities.find((f) => f.code === '01020009')?.lastReceivedAt).toBeUndefined();
  });
});
