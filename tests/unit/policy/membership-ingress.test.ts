/**
 * Membership ops in the network document (protocol.md §22, MS1–MS6): what a peer may store
 * there, checked by the update policy as the repository calls it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { networkDocId } from '../../../src/crdt/doc-id';
import { initNetworkDoc } from '../../../src/crdt/network-doc';
import {
  membershipRoot,
  putMembershipOps,
  readMembershipOps,
} from '../../../src/crdt/membership-store';
import { createRemoteUpdateCheck } from '../../../src/crdt/policy/remote-check';
import { MembershipHistory } from '../../../src/crdt/trust/membership-history';
import type { MembershipOp } from '../../../src/crdt/trust/membership-op';
import {
  FAC_B,
  clinician,
  keyRef,
  makeSigners,
  newNetwork,
  options,
  type TestSigner,
} from '../trust/membership-fixtures';

let root: TestSigner;
let member: TestSigner;
let stranger: TestSigner;
let history: MembershipHistory;
let foreign: MembershipHistory;

beforeAll(async () => {
  [root, member, stranger] = (await makeSigners(3)) as [TestSigner, TestSigner, TestSigner];
  history = await newNetwork(root);
  const enrolled = await history.author(
    root,
    { type: 'enrol', device: keyRef(member), grant: clinician(FAC_B, 2) },
    2_000,
  );
  if (!enrolled.ok) throw new Error('enrol');
  foreign = await newNetwork(stranger);
});

/** A peer's network document holding `ops`, and the update that brings them to `live`. */
function updateWith(live: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(live));
  const before = Y.encodeStateVector(peer);
  peer.transact(() => edit(peer));
  return Y.encodeStateAsUpdate(peer, before);
}

function freshNetworkDoc(ops: readonly MembershipOp[] = []): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    initNetworkDoc(doc);
    putMembershipOps(doc, ops);
  });
  return doc;
}

function check(live: Y.Doc, networkId: string | undefined, withMembership = true) {
  const verify = createRemoteUpdateCheck({
    networkDoc: () => Promise.resolve(live),
    device: () => Promise.resolve(undefined),
    serialCounter: () => Promise.resolve(undefined),
    ...(withMembership
      ? { membership: () => ({ verifier: options.verifier, ...(networkId ? { networkId } : {}) }) }
      : {}),
  });
  return async (update: Uint8Array) => {
    const verdict = await verify(networkDocId, live, update);
    return verdict.ok ? 'ok' : verdict.error.reason;
  };
}

describe('membership ops in the network document', () => {
  it('MS1 MS3 a genuine history passes and folds to the same members on the receiver', async () => {
    const live = freshNetworkDoc();
    const update = updateWith(live, (d) => putMembershipOps(d, history.all()));
    expect(await check(live, history.networkId)(update)).toBe('ok');
    Y.applyUpdate(live, update);
    const ops = readMembershipOps(live);
    const genesis = history.genesis.bytes;
    const folded = await MembershipHistory.fromGenesis(genesis, options);
    if (!folded.ok) throw new Error('genesis');
    await folded.value.addMany(ops);
    expect([...folded.value.members().keys()].sort()).toEqual([...history.members().keys()].sort());
    // A device that has no history yet takes one consistent network too (it is joining).
    expect(await check(freshNetworkDoc(), undefined)(update)).toBe('ok');
  });

  it('MS2 MS4 an op stored under another id, or with its signature changed, is refused', async () => {
    const live = freshNetworkDoc([history.genesis]);
    const enrol = history.all()[1] as MembershipOp;
    const text = new TextDecoder().decode(enrol.bytes);
    const misfiled = updateWith(live, (d) =>
      d.getMap(membershipRoot).set(history.genesis.id.replace(/^./, 'A'), text),
    );
    expect(await check(live, history.networkId)(misfiled)).toBe('membership');
    const signature = JSON.parse(text) as { s: string };
    const flipped = signature.s.startsWith('A') ? 'B' : 'A';
    const forged = text.replace(`"s":"${signature.s}"`, `"s":"${flipped}${signature.s.slice(1)}"`);
    const forgedUpdate = updateWith(live, (d) => d.getMap(membershipRoot).set(enrol.id, forged));
    expect(await check(live, history.networkId)(forgedUpdate)).toBe('membership');
    const junk = updateWith(live, (d) => d.getMap(membershipRoot).set('not-an-op-id', 'x'));
    expect(await check(live, history.networkId)(junk)).toBe('membership');
    expect(readMembershipOps(live)).toHaveLength(1);
  });

  it('MS5 ops of another network are refused, and a device without membership checks takes none', async () => {
    const live = freshNetworkDoc([history.genesis]);
    const other = updateWith(live, (d) => putMembershipOps(d, foreign.all()));
    expect(await check(live, history.networkId)(other)).toBe('membership');
    const mixed = updateWith(freshNetworkDoc(), (d) =>
      putMembershipOps(d, [...history.all(), ...foreign.all()]),
    );
    expect(await check(freshNetworkDoc(), undefined)(mixed)).toBe('membership');
    const genuine = updateWith(live, (d) => putMembershipOps(d, history.all()));
    expect(await check(live, history.networkId, false)(genuine)).toBe('membership');
  });

  it('MS6 a stored op is never deleted or rewritten; the same op written twice is no change', async () => {
    const live = freshNetworkDoc(history.all());
    const enrol = history.all()[1] as MembershipOp;
    const deleted = updateWith(live, (d) => d.getMap(membershipRoot).delete(enrol.id));
    expect(await check(live, history.networkId)(deleted)).toBe('deletion');
    const rewritten = updateWith(live, (d) =>
      d.getMap(membershipRoot).set(enrol.id, new TextDecoder().decode(history.genesis.bytes)),
    );
    expect(await check(live, history.networkId)(rewritten)).toBe('overwrite');
    const again = updateWith(live, (d) =>
      d.getMap(membershipRoot).set(enrol.id, new TextDecoder().decode(enrol.bytes)),
    );
    expect(await check(live, history.networkId)(again)).toBe('ok');
  });
});
