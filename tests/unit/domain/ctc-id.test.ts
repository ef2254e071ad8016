import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counterFromCtcId,
  formatCtcId,
  isCtcId,
  isFacilityCode,
  nextCtcId,
  parseCtcId,
  parseDeviceSlot,
  nextFreeCtcId,
  serialBlock,
} from '../../../src/domain/ctc-id';
import type { CtcId, FacilityCode } from '../../../src/domain/types';

const facility = '01020100' as FacilityCode;
/** Fixed so a failure reproduces; fast-check prints the seed and path with any counterexample. */
const seed = 20250615;

function issue(counter: number, slot = 7, at = facility): CtcId {
  const result = nextCtcId(at, slot, counter - 1);
  if (!result.ok) throw new Error(`slot ${slot} exhausted at ${counter}`);
  return result.value.ctcId;
}

describe('parseCtcId and formatCtcId', () => {
  it('reads an ID in any grouping', () => {
    for (const text of [
      '01020100070001',
      '01-02-0100-070001',
      ' 0102 0100 070001 ',
      '01/02/0100/070001',
      '01.02.0100.070001',
    ]) {
      expect(parseCtcId(text)).toEqual({ ok: true, value: '01020100070001' });
    }
  });

  it('refuses wrong lengths and non-digits with a clear issue', () => {
    expect(parseCtcId('0102-0100-07000')).toEqual({
      ok: false,
      error: [{ field: 'ctcId', rule: 'digits_exact', params: { digits: 14 } }],
    });
    expect(parseCtcId('01020100O70001')).toEqual({
      ok: false,
      error: [{ field: 'ctcId', rule: 'invalid_format' }],
    });
    expect(parseCtcId(' - ')).toEqual({ ok: false, error: [{ field: 'ctcId', rule: 'required' }] });
  });

  it('groups as region-district-facility-serial and round-trips', () => {
    const id = '01020100070001' as CtcId;
    expect(formatCtcId(id)).toBe('01-02-0100-070001');
    expect(parseCtcId(formatCtcId(id))).toEqual({ ok: true, value: id });
  });

  it('guards values from storage and peers', () => {
    expect(isCtcId('01020100070001')).toBe(true);
    expect(isCtcId('01-02-0100-070001')).toBe(false);
    expect(isCtcId(1020100070001)).toBe(false);
    expect(isFacilityCode('01020100')).toBe(true);
    expect(isFacilityCode('0102010')).toBe(false);
  });
});

describe('device slots and serial blocks', () => {
  it('gives slot 7 the serials 070001–079999', () => {
    expect(serialBlock(7)).toEqual({ first: 70001, last: 79999 });
    expect(serialBlock(1)).toEqual({ first: 10001, last: 19999 });
    expect(serialBlock(99)).toEqual({ first: 990001, last: 999999 });
  });

  it('parses the slot typed at setup', () => {
    expect(parseDeviceSlot('7')).toEqual({ ok: true, value: 7 });
    expect(parseDeviceSlot(99)).toEqual({ ok: true, value: 99 });
    expect(parseDeviceSlot('0')).toMatchObject({ ok: false, error: [{ rule: 'min_value' }] });
    expect(parseDeviceSlot('100')).toMatchObject({ ok: false, error: [{ rule: 'max_value' }] });
    expect(parseDeviceSlot('7a')).toMatchObject({ ok: false, error: [{ rule: 'invalid_format' }] });
    expect(parseDeviceSlot('')).toMatchObject({ ok: false, error: [{ rule: 'required' }] });
  });

  it('treats an impossible slot as a programming error', () => {
    expect(() => serialBlock(0)).toThrow(RangeError);
    expect(() => nextCtcId(facility, 100, 0)).toThrow(RangeError);
  });
});

describe('nextCtcId', () => {
  it('hands out the first serial of the block, then the next', () => {
    expect(nextCtcId(facility, 7, 0)).toEqual({
      ok: true,
      value: { ctcId: '01020100070001', counter: 1 },
    });
    expect(nextCtcId(facility, 7, 1)).toEqual({
      ok: true,
      value: { ctcId: '01020100070002', counter: 2 },
    });
  });

  it('never gives two devices of one facility the same ID, even at the same moment offline', () => {
    // Both tablets start from an empty register and register a patient at once.
    const tabletA = nextCtcId(facility, 1, 0);
    const tabletB = nextCtcId(facility, 2, 0);
    expect(tabletA.ok && tabletB.ok).toBe(true);
    if (tabletA.ok && tabletB.ok) expect(tabletA.value.ctcId).not.toBe(tabletB.value.ctcId);
  });

  it('reports exhaustion after counter 9999 instead of wrapping into another block', () => {
    expect(nextCtcId(facility, 7, 9998)).toEqual({
      ok: true,
      value: { ctcId: '01020100079999', counter: 9999 },
    });
    expect(nextCtcId(facility, 7, 9999)).toEqual({ ok: false, error: 'serials-exhausted' });
    expect(nextCtcId(facility, 99, 9999)).toEqual({ ok: false, error: 'serials-exhausted' });
  });

  it('property: IDs from distinct slots never collide', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 9998 }),
        fc.integer({ min: 0, max: 9998 }),
        (slotA, slotB, lastA, lastB) => {
          fc.pre(slotA !== slotB);
          const a = nextCtcId(facility, slotA, lastA);
          const b = nextCtcId(facility, slotB, lastB);
          return a.ok && b.ok && a.value.ctcId !== b.value.ctcId;
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('property: one slot hands out strictly increasing IDs inside its own block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 9990 }),
        fc.integer({ min: 1, max: 9 }),
        (slot, start, count) => {
          let last = start;
          let previous: string | undefined;
          const { first, last: lastSerial } = serialBlock(slot);
          for (let i = 0; i < count; i += 1) {
            const next = nextCtcId(facility, slot, last);
            if (!next.ok) return false;
            const serial = Number(next.value.ctcId.slice(8));
            if (serial < first || serial > lastSerial) return false;
            if (previous !== undefined && !(next.value.ctcId > previous)) return false;
            if (counterFromCtcId(next.value.ctcId, slot) !== next.value.counter) return false;
            previous = next.value.ctcId;
            last = next.value.counter;
          }
          return true;
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('choosing the next serial', () => {
  it('reads the counter of IDs from its own slot only', () => {
    expect(counterFromCtcId('01020100070042' as CtcId, 7)).toBe(42);
    expect(counterFromCtcId('01020100080042' as CtcId, 7)).toBeUndefined();
    expect(counterFromCtcId('01020100070000' as CtcId, 7)).toBeUndefined();
  });

  it('hands out the first serial after the counter that nothing claims', async () => {
    const taken = new Set<string>([issue(1), issue(2), issue(4)]);
    const next = await nextFreeCtcId(facility, 7, 0, (id) => taken.has(id));
    expect(next).toMatchObject({ ok: true, value: { ctcId: issue(3), counter: 3 } });
  });

  it('is not exhausted by one summary planted at the top of the block', async () => {
    const taken = new Set<string>([issue(9999)]);
    const next = await nextFreeCtcId(facility, 7, 41, (id) => taken.has(id));
    expect(next).toMatchObject({ ok: true, value: { counter: 42 } });
  });

  it('says serials-exhausted once every serial after the counter is taken', async () => {
    expect(await nextFreeCtcId(facility, 7, 9998, () => true)).toEqual({
      ok: false,
      error: 'serials-exhausted',
    });
  });
});
