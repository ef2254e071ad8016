/**
 * CTC IDs: 14 digits, the registering facility's 8-digit code then a 6-digit serial.
 *
 * Devices of one facility register patients offline, so a shared counter is impossible. Each
 * device instead owns a block of serials: at setup it is given a slot 1–99, and its serials are
 * the slot (2 digits) followed by its own counter (4 digits, 0001–9999). Slot 7 hands out
 * 070001…079999. Two devices with different slots can never produce the same ID, whatever
 * they do offline. The counter is stored on the device; the next ID is the first serial after it
 * that no stored record and no register summary claims (`nextFreeCtcId`), so a lost counter never
 * reuses an ID in use and a planted summary cannot exhaust the block.
 */
import { err, ok, type Result } from '../lib/result';
import type { CtcId, FacilityCode, FieldIssue } from './types';

export const minSlot = 1;
export const maxSlot = 99;
export const maxCounter = 9999;

const ctcIdPattern = /^\d{14}$/;
const facilityCodePattern = /^\d{8}$/;
/** Separators people write between the groups: spaces, dashes, slashes, dots. */
const separators = /[\s\-/.]+/g;

export function isCtcId(value: unknown): value is CtcId {
  return typeof value === 'string' && ctcIdPattern.test(value);
}

export function isFacilityCode(value: unknown): value is FacilityCode {
  return typeof value === 'string' && facilityCodePattern.test(value);
}

export function isDeviceSlot(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= minSlot && value <= maxSlot
  );
}

/** A CTC ID as typed or read aloud, in any grouping: "01-02-0100-070001", "0102 0100 070001". */
export function parseCtcId(text: string, field = 'ctcId'): Result<CtcId, FieldIssue[]> {
  const compact = text.replace(separators, '');
  if (compact === '') return err([{ field, rule: 'required' }]);
  if (!/^\d+$/.test(compact)) return err([{ field, rule: 'invalid_format' }]);
  if (compact.length !== 14) return err([{ field, rule: 'digits_exact', params: { digits: 14 } }]);
  return ok(compact as CtcId);
}

/** Grouped for reading: region-district-facility-serial, `XX-XX-XXXX-XXXXXX`. */
export function formatCtcId(id: CtcId): string {
  return `${id.slice(0, 2)}-${id.slice(2, 4)}-${id.slice(4, 8)}-${id.slice(8)}`;
}

export function facilityOfCtcId(id: CtcId): FacilityCode {
  return id.slice(0, 8) as FacilityCode;
}

/** The device slot typed at setup ("7" or 7). */
export function parseDeviceSlot(raw: unknown, field = 'deviceSlot'): Result<number, FieldIssue[]> {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return err([{ field, rule: 'required' }]);
  if (!/^\d+$/.test(text)) return err([{ field, rule: 'invalid_format' }]);
  const slot = Number(text);
  if (slot < minSlot) return err([{ field, rule: 'min_value', params: { min: minSlot } }]);
  if (slot > maxSlot) return err([{ field, rule: 'max_value', params: { max: maxSlot } }]);
  return ok(slot);
}

function assertSlot(slot: number): void {
  // Slots are validated at device setup; a bad one here is a programming error, not input.
  if (!isDeviceSlot(slot))
    throw new RangeError(`Device slot must be an integer 1–99, got ${String(slot)}`);
}

/** The serials a slot may hand out, as numbers (slot 7 → 70001…79999). */
export function serialBlock(slot: number): { first: number; last: number } {
  assertSlot(slot);
  const base = slot * (maxCounter + 1);
  return { first: base + 1, last: base + maxCounter };
}

function serialText(slot: number, counter: number): string {
  return String(slot).padStart(2, '0') + String(counter).padStart(4, '0');
}

/**
 * The next ID this device may hand out, given the last counter it used (0 when none).
 * The caller stores the returned counter together with the new patient, in one write.
 */
export function nextCtcId(
  facility: FacilityCode,
  slot: number,
  lastCounter: number,
): Result<{ ctcId: CtcId; counter: number }, 'serials-exhausted'> {
  assertSlot(slot);
  const counter = Math.max(0, Math.floor(lastCounter)) + 1;
  if (counter > maxCounter) return err('serials-exhausted');
  return ok({ ctcId: `${facility}${serialText(slot, counter)}` as CtcId, counter });
}

/** The counter of an ID handed out by `slot`, or undefined when another slot issued it. */
export function counterFromCtcId(id: CtcId, slot: number): number | undefined {
  assertSlot(slot);
  const serial = Number(id.slice(8));
  const { first, last } = serialBlock(slot);
  return serial >= first && serial <= last ? serial - slot * (maxCounter + 1) : undefined;
}

/**
 * The first ID after `lastCounter` that `isTaken` does not claim (a record stored here or a
 * summary in the register). Unlike "highest seen + 1", a planted summary at the top of the
 * block cannot exhaust it, and an ID someone already holds is never handed out twice.
 */
export async function nextFreeCtcId(
  facility: FacilityCode,
  slot: number,
  lastCounter: number,
  isTaken: (id: CtcId) => boolean | Promise<boolean>,
): Promise<Result<{ ctcId: CtcId; counter: number }, 'serials-exhausted'>> {
  let counter = Math.max(0, Math.floor(lastCounter));
  for (;;) {
    const next = nextCtcId(facility, slot, counter);
    if (!next.ok) return next;
    if (!(await isTaken(next.value.ctcId))) return next;
    counter = next.value.counter;
  }
}
