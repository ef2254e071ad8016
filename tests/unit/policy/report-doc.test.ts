/**
 * Report documents (issue 10 point 6, decision 0026; protocol RP1–RP6): the layout round trip,
 * the read-time shape check (a malformed or newer month is skipped and counted, never shown),
 * and the content policy on hostile but well-formed Yjs updates, checked the way every peer
 * checks them (`checkUpdate` against the live document) before anything is stored.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isDocId, docKind, reportDocId, facilityOfReportDoc } from '../../../src/crdt/doc-id';
import { checkUpdate, type PolicyContext } from '../../../src/crdt/policy/check-update';
import { extrasOf, wants } from '../../../src/sync/interest';
import {
  layoutAges,
  layoutBands,
  layoutIndicators,
  layoutSexes,
} from '../../../src/crdt/policy/report-shape';
import {
  figuresOf,
  initReportDoc,
  readReportDoc,
  reportMonths,
  writeReportMonth,
  type ReportFigures,
} from '../../../src/crdt/report-doc';
import {
  ageBands,
  coarseAges,
  countInto,
  emptyIndicator,
  indicatorIds,
  sexesInOrder,
} from '../../../src/domain/care/indicators';
import type { MonthlyReport } from '../../../src/domain/care/monthly-report';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../../../src/domain/types';

const FAC = '01020003' as FacilityCode;
const OTHER = '01020004' as FacilityCode;
const DOC = reportDocId(FAC);
const context: PolicyContext = { facilities: new Set([FAC, OTHER]) };
const at = '2026-03-10T09:00:00.000Z' as IsoDateTime;

/** A report of three patients: a woman of 36, a man of 40, a girl of 12. */
function sampleReport(month = '2026-03'): MonthlyReport {
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, emptyIndicator()]),
  ) as MonthlyReport['indicators'];
  const ids = ['01020003010001', '01020003010002', '01020003010003'] as CtcId[];
  for (const id of ['currently_on_art', 'vl_tests_done'] as const) {
    countInto(indicators[id], ids[0]!, 'female', 36);
    countInto(indicators[id], ids[1]!, 'male', 40);
  }
  countInto(indicators.currently_on_art, ids[2]!, 'female', 12);
  countInto(indicators.vl_suppressed, ids[0]!, 'female', 36);
  countInto(indicators.new_enrolments, ids[2]!, 'female', 12);
  return { facility: FAC, month, end: `${month}-10` as IsoDate, indicators };
}

function publishedDoc(figures: ReportFigures = figuresOf(sampleReport(), at, 3)): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    initReportDoc(doc, FAC);
    writeReportMonth(doc, figures);
  });
  return doc;
}

/** The update `edit` makes on a copy of `doc` (left unchanged), as a peer would send it. */
function changeOf(doc: Y.Doc, edit: (copy: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  copy.clientID = 4242;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => edit(copy));
  return Y.encodeStateAsUpdate(copy, before);
}

/** A month's value as stored (the month is its key). */
const plain = (figures: ReportFigures): Record<string, unknown> => ({
  layout: 1,
  end: figures.end,
  computedAt: figures.computedAt,
  records: figures.records,
  indicators: figures.indicators,
});

const verdict = (live: Y.Doc, update: Uint8Array, docId = DOC) => {
  const result = checkUpdate(docId, live, update, context);
  return result.ok ? 'ok' : `${result.error.reason}: ${result.error.detail}`;
};

describe('report document ids (RP1)', () => {
  it('report:<8 digits> is a document id of kind report, strictly', () => {
    expect(DOC).toBe('report:01020003');
    expect(isDocId(DOC)).toBe(true);
    expect(docKind(DOC)).toBe('report');
    expect(facilityOfReportDoc(DOC)).toBe(FAC);
    for (const bad of ['report:0102003', 'report:010200031', 'report:', 'reports:01020003']) {
      expect(isDocId(bad)).toBe(false);
    }
  });
});

describe('who wants a report document (RP7)', () => {
  it('every device, of any facility or none, and a relay; it is never an extra to prune', () => {
    for (const facility of [FAC, OTHER, '']) {
      expect(wants({ relay: false, facility, extras: new Set() }, DOC)).toBe(true);
      expect(extrasOf([DOC], facility, false)).toEqual([]);
    }
    expect(wants({ relay: true, facility: '', extras: new Set() }, DOC)).toBe(true);
  });
});

describe('layout 1 of a month (RP2)', () => {
  it('is the domain report’s indicators and splits: a change there needs a new layout', () => {
    expect([...layoutIndicators]).toEqual(indicatorIds);
    expect([...layoutBands]).toEqual([...ageBands]);
    expect([...layoutSexes]).toEqual([...sexesInOrder]);
    expect([...layoutAges]).toEqual([...coarseAges]);
  });
});

describe('report figures round trip', () => {
  it('holds counts only, equal to the report it came from; an equal rewrite writes nothing', () => {
    const report = sampleReport();
    const figures = figuresOf(report, at, 3);
    const doc = publishedDoc(figures);
    const read = readReportDoc(doc);
    expect(read.facility).toBe(FAC);
    expect(read.skipped).toBe(0);
    expect(read.months.get('2026-03')).toEqual(figures);
    const on = read.months.get('2026-03')!.indicators.currently_on_art;
    expect(on.total).toBe(3);
    expect(on.bySex).toEqual({ female: 2, male: 1 });
    expect(on.byAge).toEqual({ '<15': 1, '15+': 2 });
    expect(on.byBand['10-14']).toEqual({ female: 1, male: 0 });
    expect(on.byBand['35-39']).toEqual({ female: 1, male: 0 });
    expect(on.byBand['40-44']).toEqual({ female: 0, male: 1 });
    // No CTC ID anywhere in what is stored.
    expect(JSON.stringify(reportMonths(doc).toJSON())).not.toMatch(/\d{14}/);
    // The same figures computed later are no change: nothing is written.
    const later = { ...figures, computedAt: '2026-03-10T10:00:00.000Z' as IsoDateTime };
    let updates = 0;
    doc.on('update', () => (updates += 1));
    expect(writeReportMonth(doc, later)).toBe(false);
    expect(updates).toBe(0);
    const changed = figuresOf(sampleReport(), at, 4);
    expect(writeReportMonth(doc, changed)).toBe(true);
    expect(readReportDoc(doc).months.get('2026-03')?.records).toBe(4);
  });

  it('RP5 skips and counts a malformed month or one of a newer layout, never shows it', () => {
    const doc = publishedDoc();
    const good = plain(figuresOf(sampleReport('2026-02'), at, 3));
    good.end = '2026-02-28';
    reportMonths(doc).set('2026-02', good);
    reportMonths(doc).set('2026-01', { ...good, end: '2026-01-31', records: 'many' });
    reportMonths(doc).set('2025-12', { ...good, end: '2025-12-31', layout: 2 });
    reportMonths(doc).set('not-a-month', good);
    const read = readReportDoc(doc);
    expect([...read.months.keys()].sort()).toEqual(['2026-02', '2026-03']);
    expect(read.skipped).toBe(3);
  });
});

describe('the content policy for report documents (RP2–RP4)', () => {
  it('RP2 lets a peer publish and replace a month of counts', () => {
    const live = new Y.Doc();
    const first = changeOf(live, (d) => {
      initReportDoc(d, FAC);
      writeReportMonth(d, figuresOf(sampleReport(), at, 3));
    });
    expect(verdict(live, first)).toBe('ok');
    Y.applyUpdate(live, first);
    const replaced = changeOf(live, (d) => writeReportMonth(d, figuresOf(sampleReport(), at, 5)));
    expect(verdict(live, replaced)).toBe('ok');
  });

  it('RP3 refuses a month holding a CTC ID list instead of counts', () => {
    const live = publishedDoc();
    const figures = plain(figuresOf(sampleReport(), at, 3));
    const withIds = changeOf(live, (d) =>
      reportMonths(d).set('2026-03', {
        ...figures,
        indicators: {
          ...(figures.indicators as object),
          currently_on_art: { ...sampleReport().indicators.currently_on_art },
        },
      }),
    );
    expect(verdict(live, withIds)).toMatch(/^report-figures: months\.2026-03: currently_on_art/);
    // Nor as an extra "indicator" a newer version might add, nor beside the figures.
    const sneaked = changeOf(live, (d) =>
      reportMonths(d).set('2026-03', {
        ...figures,
        indicators: { ...(figures.indicators as object), patients: ['01020003010001'] },
      }),
    );
    expect(verdict(live, sneaked)).toMatch(/^report-figures: months\.2026-03: patients/);
    const beside = changeOf(live, (d) =>
      reportMonths(d).set('2026-03', { ...figures, ctcIds: ['01020003010001'] }),
    );
    expect(verdict(live, beside)).toMatch(/^report-figures: months\.2026-03: not a month/);
    const key = changeOf(live, (d) => reportMonths(d).set('01020003010001', figures));
    expect(verdict(live, key)).toMatch(/^unknown-key/);
  });

  it('RP3 refuses an absurd count, a negative one, and splits that do not add up', () => {
    const live = publishedDoc();
    const base = figuresOf(sampleReport(), at, 3);
    const withTotal = (total: number) => {
      const figures = structuredClone(base);
      figures.indicators.currently_on_art.total = total;
      return plain(figures);
    };
    const absurd = changeOf(live, (d) => reportMonths(d).set('2026-03', withTotal(5_000_000)));
    expect(verdict(live, absurd)).toMatch(/currently_on_art: total is not a count/);
    const negative = changeOf(live, (d) => reportMonths(d).set('2026-03', withTotal(-1)));
    expect(verdict(live, negative)).toMatch(/total is not a count/);
    const inconsistent = changeOf(live, (d) => reportMonths(d).set('2026-03', withTotal(2)));
    expect(verdict(live, inconsistent)).toMatch(/bySex does not add up/);
    const moreThanRecords = structuredClone(base);
    moreThanRecords.records = 1;
    const over = changeOf(live, (d) => reportMonths(d).set('2026-03', plain(moreThanRecords)));
    expect(verdict(live, over)).toMatch(/counts more patients than the records/);
    const wrongEnd = changeOf(live, (d) =>
      reportMonths(d).set('2026-04', plain({ ...base, month: '2026-04' })),
    );
    expect(verdict(live, wrongEnd)).toMatch(/end is not in the month/);
  });

  it('RP4 refuses nested types, lists, another facility code and deleting a month', () => {
    const live = publishedDoc();
    const nested = changeOf(live, (d) => reportMonths(d).set('2026-04', new Y.Map()));
    expect(verdict(live, nested)).toMatch(/^unknown-key: nested type/);
    const list = changeOf(live, (d) => d.getArray('patients').insert(0, ['01020003010001']));
    expect(verdict(live, list)).toMatch(/^unknown-key/);
    const fresh = new Y.Doc();
    const foreignMeta = changeOf(fresh, (d) => initReportDoc(d, OTHER));
    expect(verdict(fresh, foreignMeta)).toBe('invalid-entry: meta.facilityCode');
    const deleted = changeOf(live, (d) => reportMonths(d).delete('2026-03'));
    expect(verdict(live, deleted)).toMatch(/^deletion/);
    // A facility the network does not list publishes nothing here (U26).
    const unknown = changeOf(new Y.Doc(), (d) => initReportDoc(d, '09090909' as FacilityCode));
    expect(verdict(new Y.Doc(), unknown, reportDocId('09090909' as FacilityCode))).toMatch(
      /^unknown-facility/,
    );
  });
});
