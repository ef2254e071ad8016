/**
 * Issue 10 points 1–3 on screen, rendered on the server with data loaded from the real stack
 * (memory store, repository, clinic core, care service): the follow-up list rows (days late,
 * last visit at a facility by name, tap-to-call, tracing, alerts), the counts on Home, and the
 * alerts on the record with their reason sentence in English and Swahili.
 */
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCareService } from '../../../src/app/care-service';
import type { CareService } from '../../../src/app/care-views';
import { createClinicCore } from '../../../src/app/clinic-service';
import { sequentialIds } from '../../../src/app/ids';
import type { ClinicService, SaveResult } from '../../../src/app/views';
import { DocumentRepository } from '../../../src/crdt/repository';
import type { CtcId } from '../../../src/domain/types';
import { createMemoryStore } from '../../../src/storage/memory-store';
import CareAlerts from '../../../src/ui/components/CareAlerts.svelte';
import { outcomeOptions, tracingInput, tracingValues } from '../../../src/ui/forms/tracing';
import { loadLanguage, locale, t } from '../../../src/ui/i18n/i18n.svelte';
import { issueMessage } from '../../../src/ui/i18n/issues';
import FollowUp from '../../../src/ui/screens/FollowUp.svelte';
import Home from '../../../src/ui/screens/Home.svelte';
import { sessionContext } from '../../../src/ui/state/context';
import { FollowUpCountsState } from '../../../src/ui/state/follow-up.svelte';
import { hrefOf, parseHash } from '../../../src/ui/state/routes';
import { Session } from '../../../src/ui/state/session.svelte';
import { aminaForm, setupInput, testClock, visitForm } from '../app/harness';

beforeAll(() => loadLanguage('sw'));
afterEach(() => locale.set('en'));

const unwrap = <T>(result: SaveResult<T>): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

const text = (html: string) =>
  html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const count = (html: string, testid: string) => html.split(`data-testid="${testid}"`).length - 1;

async function stack(iso: string) {
  const clock = testClock(iso);
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock });
  const { service, writes } = createClinicCore({
    repo,
    store,
    clock,
    ids: sequentialIds('ui'),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 1, quotaBytes: 2, persisted: false }),
      requestPersistence: () => Promise.resolve(true),
    },
  });
  unwrap(await service.setupDevice(setupInput));
  const care = createCareService({ repo, store, clock, writes, profile: () => service.profile() });
  const register = (givenName: string) =>
    service.registerPatient({ ...aminaForm, givenName }, { acknowledgeDuplicate: true });
  return { clock, service, care, register };
}

/** A care service that never answers: the screens show what they were given. */
const idleCare = (): CareService =>
  ({
    followUp: () => new Promise(() => undefined),
    followUpCounts: () => new Promise(() => undefined),
    patientCare: () => new Promise(() => undefined),
    onChange: () => () => undefined,
  }) as unknown as CareService;

const context = (service: ClinicService, care?: CareService) =>
  sessionContext(new Session(service), care);

describe('the follow-up routes', () => {
  it('are #/follow-up[/<list>] and #/patient/<id>/tracing, both ways', () => {
    expect(parseHash('#/follow-up')).toEqual({ name: 'follow-up' });
    expect(parseHash('#/follow-up/ltfu')).toEqual({ name: 'follow-up', list: 'ltfu' });
    expect(parseHash('#/follow-up/nobody').name).toBe('not-found');
    expect(hrefOf({ name: 'follow-up', list: 'missed' })).toBe('#/follow-up/missed');
    const ctcId = '01020003010001' as CtcId;
    expect(parseHash(`#/patient/${ctcId}/tracing`)).toEqual({ name: 'tracing', ctcId });
    expect(hrefOf({ name: 'tracing', ctcId })).toBe(`#/patient/${ctcId}/tracing`);
  });
});

describe('the follow-up screen', () => {
  async function lostAndTraced() {
    const s = await stack('2026-03-10T09:00:00.000Z');
    const lost = unwrap(await s.register('Lost'));
    unwrap(await s.service.recordVisit(lost, visitForm('2026-03-10', '2026-03-25')));
    const missed = unwrap(await s.register('Missed'));
    unwrap(await s.service.recordVisit(missed, visitForm('2026-03-10', '2026-04-20')));
    const due = unwrap(await s.register('Due'));
    unwrap(await s.service.recordVisit(due, visitForm('2026-03-10', '2026-04-30')));
    s.clock.set('2026-04-30T09:00:00.000Z');
    unwrap(
      await s.care.recordTracing(lost, {
        date: '2026-04-29',
        method: 'home_visit',
        reached: 'yes',
        outcome: 'will_return',
      }),
    );
    return { ...s, lost, missed, due, view: await s.care.followUp() };
  }

  it('shows the LTFU row: days late, last visit at the facility by name, a tel: link, the tracing', async () => {
    const { service, view, lost } = await lostAndTraced();
    const html = render(FollowUp, {
      props: { list: 'ltfu', preloaded: view },
      context: context(service, idleCare()),
    }).body;
    expect(count(html, 'follow-up-row')).toBe(1);
    expect(html).toContain(`href="#/patient/${lost}"`);
    const row = text(html);
    expect(row).toContain('36 days late');
    expect(row).toContain('Last visit 2026-03-10 at Mbezi CTC');
    expect(html).toContain('href="tel:+255712345678"');
    expect(row).toContain('Traced 2026-04-29: Home visit · Reached · Will return to care');
    expect(html).toContain(`href="#/patient/${lost}/tracing"`);
    // Counts on every tab; this list is the current page.
    expect(html).toMatch(/data-testid="follow-up-tab-ltfu"[^>]*aria-current="page"/);
    expect(text(html)).toContain('Missed (1)');
    expect(text(html)).toContain('Lost to follow-up (1)');
  });

  it("dials a row's number with its + back when the list only has the index's digits", async () => {
    const { service, view, due } = await lostAndTraced();
    const html = render(FollowUp, {
      props: { list: 'today', preloaded: view },
      context: context(service, idleCare()),
    }).body;
    expect(html).toContain(`data-ctc-id="${due}"`);
    expect(html).toContain('href="tel:+255712345678"');
    expect(text(html)).toContain('Call +255712345678');
    expect(text(html)).toContain('Expected today (1)');
  });

  it('speaks Swahili, and says when a list is empty', async () => {
    const { service, view } = await lostAndTraced();
    const swahili = context(service, idleCare());
    locale.set('sw');
    const html = render(FollowUp, {
      props: { list: 'missed', preloaded: view },
      context: swahili,
    }).body;
    expect(text(html)).toContain('Amechelewa siku 10');
    expect(text(html)).toContain('Bado hajafuatiliwa');
    locale.set('en');
    const empty = render(FollowUp, {
      props: { list: 'tomorrow', preloaded: view },
      context: context(service, idleCare()),
    }).body;
    expect(count(empty, 'follow-up-empty')).toBe(1);
  });
});

describe('the counts on Home', () => {
  it('come from the care service and refresh when it says something changed', async () => {
    const s = await stack('2026-03-10T09:00:00.000Z');
    const id = unwrap(await s.register('Late'));
    unwrap(await s.service.recordVisit(id, visitForm('2026-03-10', '2026-04-20')));
    s.clock.set('2026-04-30T09:00:00.000Z');
    const counts = new FollowUpCountsState(s.care);
    const stop = counts.connect();
    await vi.waitFor(() =>
      expect(counts.value).toEqual({ today: 0, overdue: 0, missed: 1, ltfu: 0 }),
    );
    unwrap(await s.service.changeStatus(id, { status: 'stopped', date: '2026-04-30' }));
    await vi.waitFor(() =>
      expect(counts.value).toEqual({ today: 0, overdue: 0, missed: 0, ltfu: 0 }),
    );
    stop();
    // Without a care service (a supervisor's Home), nothing is loaded or shown.
    const none = new FollowUpCountsState(undefined);
    none.connect();
    await none.refresh();
    expect(none.value).toBeUndefined();
    const home = render(Home, { context: context(s.service, s.care) }).body;
    expect(home).toContain('data-testid="search-input"');
  });
});

describe('alerts on the record', () => {
  async function unsuppressed() {
    const s = await stack('2026-01-10T09:00:00.000Z');
    const ctcId = unwrap(await s.register('Viral'));
    unwrap(
      await s.service.recordVisit(
        ctcId,
        visitForm('2026-01-10', '2026-04-10', {
          arvStatus: 'start',
          arvReason: 'newly_diagnosed',
          daysSupplied: '90',
        }),
      ),
    );
    s.clock.set('2026-03-10T09:00:00.000Z');
    unwrap(
      await s.service.recordResult(ctcId, {
        investigation: 'viral_load',
        sampleDate: '2026-03-04',
        resultDate: '2026-03-09',
        value: '12400',
      }),
    );
    return { ...s, ctcId };
  }

  it('say why in English, with the number and the date formatted, and offer an answer', async () => {
    const { service, care, ctcId } = await unsuppressed();
    const preloaded = (await care.patientCare(ctcId))!;
    const html = render(CareAlerts, {
      props: { ctcId, preloaded },
      context: context(service, idleCare()),
    }).body;
    const alert = html.slice(html.indexOf('data-rule="vl_unsuppressed"'));
    expect(text(alert)).toContain(
      'Last VL 12,400 copies/mL on 4 Mar 2026, ≥ 1000: enhanced adherence counselling, repeat VL by 4 Jun 2026.',
    );
    expect(text(alert)).toContain('Source: WHO 2021');
    expect(html).toContain('data-testid="care-alert-answer"');
  });

  it('say why in Swahili', async () => {
    const { service, care, ctcId } = await unsuppressed();
    const preloaded = (await care.patientCare(ctcId))!;
    const swahili = context(service, idleCare());
    locale.set('sw');
    const html = render(CareAlerts, {
      props: { ctcId, preloaded },
      context: swahili,
    }).body;
    expect(text(html)).toContain('VL ya mwisho 12,400 nakala/mL tarehe 4 Mac 2026, ≥ 1000');
    expect(text(html)).toContain('Tahadhari');
  });

  it('an answered alert is shown as answered, by whom, and no longer open', async () => {
    const { service, care, ctcId } = await unsuppressed();
    const open = (await care.patientCare(ctcId))!.alerts.open;
    const alert = open.find((a) => a.ruleId === 'vl_unsuppressed')!;
    unwrap(
      await care.answerAlert(ctcId, {
        ruleId: alert.ruleId,
        alertKey: alert.key,
        action: 'override',
        reason: 'Sample was haemolysed',
      }),
    );
    const preloaded = (await care.patientCare(ctcId))!;
    const html = render(CareAlerts, {
      props: { ctcId, preloaded },
      context: context(service, idleCare()),
    }).body;
    expect(html).not.toMatch(/data-testid="care-alert"\s+data-rule="vl_unsuppressed"/);
    expect(html).toMatch(/data-testid="care-answered-alert" data-rule="vl_unsuppressed"/);
    expect(text(html)).toContain('Overridden by Neema Mushi on 2026-03-10: Sample was haemolysed');
  });

  it('an "unknown" alert says what is missing', async () => {
    const s = await stack('2026-01-10T09:00:00.000Z');
    const ctcId = unwrap(await s.register('NoStart'));
    // Dispensed ARVs without a start recorded: the VL schedule cannot be known.
    unwrap(await s.service.recordVisit(ctcId, visitForm('2026-01-10', '2026-02-10')));
    const preloaded = (await s.care.patientCare(ctcId))!;
    const html = render(CareAlerts, {
      props: { ctcId, preloaded },
      context: context(s.service, idleCare()),
    }).body;
    expect(html).toMatch(/data-rule="vl_due"[^>]*data-level="unknown"/);
    expect(text(html)).toContain('Viral load schedule unknown: no ART start date recorded.');
    expect(text(html)).toContain('Information missing');
  });
});

describe('the tracing form', () => {
  it('offers only the outcomes that fit "reached", and sends no empty outcome', () => {
    expect(outcomeOptions('no', 'en').map((o) => o.value)).toEqual(['not_found']);
    expect(outcomeOptions('yes', 'en').map((o) => o.value)).not.toContain('not_found');
    const values = { ...tracingValues('2026-04-30' as never), method: 'phone', reached: 'no' };
    expect(tracingInput(values)).toEqual({
      method: 'phone',
      reached: 'no',
      date: '2026-04-30',
      note: '',
    });
  });

  it("names the care fields in a refusal with the form's own labels", () => {
    expect(issueMessage({ field: 'method', rule: 'required' }, t)).toBe('How is needed.');
    expect(issueMessage({ field: 'reason', rule: 'too_short', params: { min: 3 } }, t)).toBe(
      'Reason is too short (at least 3).',
    );
  });
});
