/**
 * How clock and storage trouble and refused updates read on the Network screen and the banner
 * (rules §20: W7, W10, W13), in English and Swahili.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadLanguage, locale, t } from '../../../src/ui/i18n/i18n.svelte';
import {
  clockWarningText,
  refusalDocText,
  refusalReasonText,
} from '../../../src/ui/network-status';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

afterEach(() => locale.set('en'));

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('clock warning text (W10)', () => {
  it('says whether this clock is ahead or behind, in units a person reads at a glance', () => {
    expect(clockWarningText({ peersAheadByMs: 25 * minute, peers: 2 }, t)).toBe(
      "This device's clock seems to be 25 minutes behind the other devices. Please check the date and time in the phone's settings.",
    );
    expect(clockWarningText({ peersAheadByMs: -3 * hour, peers: 1 }, t)).toContain('3 hours ahead');
    expect(clockWarningText({ peersAheadByMs: -400 * day, peers: 3 }, t)).toContain(
      '400 days ahead',
    );
  });

  it('speaks Swahili', () => {
    locale.set('sw');
    expect(clockWarningText({ peersAheadByMs: 2 * day, peers: 2 }, t)).toContain(
      'nyuma kwa siku 2',
    );
  });
});

describe('refused updates in the sync log (W13)', () => {
  it('gives each known reason plain words, and an unknown one general words', () => {
    expect(refusalReasonText('deletion', t)).toBe('It tried to delete part of a record');
    expect(refusalReasonText('foreign-summary', t)).toBe(
      "It tried to change another facility's register",
    );
    expect(refusalReasonText('a-reason-added-later', t)).toBe('Not accepted');
    locale.set('sw');
    expect(refusalReasonText('budget', t)).toBe('Ilikuwa kubwa mno');
    expect(refusalReasonText('a-reason-added-later', t)).toBe('Haikukubaliwa');
  });

  it('names the document: a record by CTC ID, a register by its facility, the network', () => {
    const names = { '01020004': 'Temeke CTC' };
    expect(refusalDocText({ docId: 'patient:01020003010001' }, names, t)).toBe(
      'Record 01020003010001',
    );
    expect(refusalDocText({ docId: 'register:01020004' }, names, t)).toBe('Register of Temeke CTC');
    expect(refusalDocText({ docId: 'register:01029999' }, names, t)).toBe('Register of 01029999');
    expect(refusalDocText({ docId: 'network' }, names, t)).toBe('Network settings');
  });
});
