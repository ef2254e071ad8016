/**
 * The update policy as the repository calls it (`RemoteUpdateCheck`): gathers what the policy
 * needs to know about this device, then checks statically (check-update.ts).
 */
import type * as Y from 'yjs';
import { facilityOfCtcId } from '../../domain/ctc-id';
import { ctcIdOfDoc, facilityOfRegisterDoc, facilityOfReportDoc, type DocId } from '../doc-id';
import { err, ok } from '../../lib/result';
import { utf8 } from '../trust/encoding';
import { checkMembershipOps, type MembershipCheckContext } from '../membership-store';
import { createChangeTrust, type ChangeTrustDeps } from './change-trust';
import { checkUpdate, type PolicyContext } from './check-update';
import { RefusalReason, type RemoteUpdateCheck } from './refusal';

export interface RemoteCheckDeps {
  /** The live network document (its facilities decide U26). */
  networkDoc(): Promise<Y.Doc>;
  /** This device's facility and serial slot, once it is set up. */
  device(): Promise<{ facility: string; slot: number } | undefined>;
  /** The last serial counter this device stored, if it has one (U27). */
  serialCounter(): Promise<number | undefined>;
  /** MS3: how membership ops from peers are verified; without it they are refused. */
  membership?(): MembershipCheckContext;
  /**
   * SC6, WR1–WR26: when set, every change must come signed by its author, and the author's role
   * must allow what it writes. The app always sets it; engine-level tools may not.
   */
  changes?: ChangeTrustDeps;
}

function facilityOf(docId: DocId): string | undefined {
  const ctcId = ctcIdOfDoc(docId);
  return ctcId
    ? facilityOfCtcId(ctcId)
    : (facilityOfRegisterDoc(docId) ?? facilityOfReportDoc(docId));
}

export function createRemoteUpdateCheck(deps: RemoteCheckDeps): RemoteUpdateCheck {
  // The device's facility and slot never change once set up: read storage until they exist.
  let device: { facility: string; slot: number } | undefined;
  const trust = deps.changes ? createChangeTrust(deps.changes) : undefined;
  const check: RemoteUpdateCheck = async (docId, live, update, change) => {
    const facility = facilityOf(docId);
    const facilities = new Set<string>();
    if (facility !== undefined) {
      const network = await deps.networkDoc();
      for (const code of network.getMap('facilities').keys()) facilities.add(code);
    }
    const context: PolicyContext = { facilities };
    if (facility !== undefined && !device) device = await deps.device();
    if (device && device.facility === facility) {
      const counter = await deps.serialCounter();
      if (counter !== undefined) context.ownBlock = { ...device, counter };
    }
    // Content rules first (design.md §5): cheap, and they need no key.
    const checked = checkUpdate(docId, live, update, context);
    if (!checked.ok) return checked;
    const ops = checked.value.membershipOps;
    if (ops.length > 0) {
      const membership = deps.membership?.();
      const problem = membership
        ? await checkMembershipOps(ops, membership)
        : 'this device does not take membership ops';
      if (problem) return err({ reason: RefusalReason.membership, detail: problem });
      await membership?.learn?.(ops.map((op) => utf8(op.text)));
    }
    if (trust) {
      const trusted = await trust.check(docId, live, update, change);
      if (!trusted.ok) return trusted;
    }
    return ok(undefined);
  };
  if (trust) check.prepare = (changes) => trust.prepare(changes);
  return check;
}
