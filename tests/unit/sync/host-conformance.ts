/**
 * The conformance suite every `ReplicaHost` must pass (docs/protocol.md P5, P6): the app's host
 * over the repository and Dexie, and the memory host. A host's test file calls
 * `runReplicaHostConformance(name, setup, options)`.
 *
 * Everything is observed through the port itself: content is read back with
 * `changesSince(docId, emptyStateVector)` applied to a fresh Y.Doc. The hosts under test do not
 * sign, so each change is a bare Yjs update and a remote change's bytes are its update.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import type { RemoteOutcome } from '../../../src/crdt/policy/refusal';
import type { IncomingChange, PeerId, ReplicaHost } from '../../../src/sync/ports';

export interface HostFixture {
  host: ReplicaHost;
  /** A local change, durable once it resolves (the app: `repo.write`; memory: `change`). */
  write: (docId: DocId, edit: (doc: Y.Doc) => void) => Promise<void>;
  /** Takes the document out of memory, where the host keeps closed documents in storage. */
  close: (docId: DocId) => Promise<void>;
  teardown: () => Promise<void>;
}

export interface HostConformanceOptions {
  /**
   * For a host with an update policy: an update it refuses. The memory host has no policy, so it
   * leaves this out and the refusal cases are skipped.
   */
  refusedUpdate?: () => Uint8Array;
}

const DOC = 'patient:01020003010001' as DocId;
const OTHER = 'patient:01020003010002' as DocId;
const PEER = 'peer-b' as PeerId;
const EMPTY_SV = Y.encodeStateVector(new Y.Doc());

/** An update a peer might send: a change made on a doc of its own, on top of `base`. */
function peerUpdate(base: Uint8Array | undefined, edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  if (base) Y.applyUpdate(doc, base);
  const before = Y.encodeStateVector(doc);
  doc.transact(() => edit(doc));
  return Y.encodeStateAsUpdate(doc, before);
}

/** A change as a host that does not sign receives it: its bytes are its Yjs update. */
const plain = (update: Uint8Array): IncomingChange => ({ bytes: update, update });

/** Applies one remote change; the host answers with exactly one outcome for it. */
async function applyOne(
  host: ReplicaHost,
  docId: DocId,
  update: Uint8Array,
  from: PeerId,
): Promise<RemoteOutcome> {
  const outcomes = await host.applyRemoteChanges(docId, [plain(update)], from);
  expect(outcomes).toHaveLength(1);
  return outcomes[0] as RemoteOutcome;
}

/** Everything a catch-up carries, as one Yjs update (the changes merged in order). */
async function diffOf(host: ReplicaHost, docId: DocId, sv: Uint8Array): Promise<Uint8Array> {
  return Y.mergeUpdates(await host.changesSince(docId, sv));
}

/** Applies each change of a catch-up to `doc`, in order. */
async function applyChangesSince(host: ReplicaHost, docId: DocId, doc: Y.Doc, sv: Uint8Array) {
  for (const change of await host.changesSince(docId, sv)) Y.applyUpdate(doc, change);
}

const setPhone = (phone: string) => (doc: Y.Doc) => doc.getMap('demographics').set('phone', phone);

async function contentOf(host: ReplicaHost, docId: DocId): Promise<unknown> {
  const doc = new Y.Doc();
  await applyChangesSince(host, docId, doc, EMPTY_SV);
  return {
    demographics: doc.getMap('demographics').toJSON(),
    notes: doc.getArray('notes').toJSON(),
  };
}

const svOf = (update: Uint8Array): number[] => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return [...Y.encodeStateVector(doc)];
};

interface Recorded {
  updates: { docId: DocId; origin: PeerId | 'local' }[];
  holdings: DocId[][];
}

function record(host: ReplicaHost): Recorded {
  const recorded: Recorded = { updates: [], holdings: [] };
  host.onDocUpdate((docId, _changes, origin) => recorded.updates.push({ docId, origin }));
  host.onHoldingsChanged((added) => recorded.holdings.push([...added]));
  return recorded;
}

export function runReplicaHostConformance(
  name: string,
  setup: () => Promise<HostFixture>,
  options: HostConformanceOptions = {},
): void {
  describe(`ReplicaHost conformance: ${name}`, () => {
    let fixture: HostFixture | undefined;
    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });
    const start = async () => (fixture = await setup());

    it('P5 holds nothing at first; a local write makes a doc held, announced once', async () => {
      const { host, write } = await start();
      const seen = record(host);
      expect([...host.holdings()]).toEqual([]);
      await write(DOC, setPhone('1'));
      await write(DOC, setPhone('2'));
      expect([...host.holdings()]).toEqual([DOC]);
      expect(seen.holdings).toEqual([[DOC]]);
    });

    it('P5 the state vector of an open and of a closed doc is that of its content; of an unheld doc, empty', async () => {
      const { host, write, close } = await start();
      expect([...(await host.stateVector(OTHER))]).toEqual([...EMPTY_SV]);
      await write(DOC, setPhone('1'));
      await write(DOC, (doc) => doc.getArray('notes').push(['a']));
      const full = await diffOf(host, DOC, EMPTY_SV);
      const open = [...(await host.stateVector(DOC))];
      expect(open).toEqual(svOf(full));
      await close(DOC);
      expect([...(await host.stateVector(DOC))]).toEqual(open);
      expect(await contentOf(host, DOC)).toEqual({ demographics: { phone: '1' }, notes: ['a'] });
    });

    it('P5 a diff carries exactly what the remote state vector lacks', async () => {
      const { host, write } = await start();
      await write(DOC, setPhone('1'));
      const remote = new Y.Doc();
      await applyChangesSince(host, DOC, remote, EMPTY_SV);
      await write(DOC, (doc) => doc.getArray('notes').push(['later']));
      await applyChangesSince(host, DOC, remote, Y.encodeStateVector(remote));
      expect(remote.getArray('notes').toJSON()).toEqual(['later']);
      expect([...Y.encodeStateVector(remote)]).toEqual([...(await host.stateVector(DOC))]);
      // Nothing left to send to a peer that has everything.
      const nothing = await host.changesSince(DOC, Y.encodeStateVector(remote));
      const check = new Y.Doc();
      Y.applyUpdate(check, Y.encodeStateAsUpdate(remote));
      const before = [...Y.encodeStateVector(check)];
      for (const change of nothing) Y.applyUpdate(check, change);
      expect([...Y.encodeStateVector(check)]).toEqual(before);
    });

    it('P5 a remote update is applied and held; the same one again is unchanged', async () => {
      const { host } = await start();
      const seen = record(host);
      const update = peerUpdate(undefined, setPhone('+255 700'));
      expect(await applyOne(host, DOC, update, PEER)).toEqual({ type: 'applied' });
      expect(host.holdings().has(DOC)).toBe(true);
      expect(seen.holdings).toEqual([[DOC]]);
      expect(await contentOf(host, DOC)).toEqual({
        demographics: { phone: '+255 700' },
        notes: [],
      });
      expect(await applyOne(host, DOC, update, PEER)).toEqual({ type: 'unchanged' });
      expect(seen.holdings).toEqual([[DOC]]);
    });

    it('P5 a remote update applies over a closed doc, and merges with local writes', async () => {
      const { host, write, close } = await start();
      await write(DOC, setPhone('1'));
      const base = await diffOf(host, DOC, EMPTY_SV);
      await close(DOC);
      const update = peerUpdate(base, (doc) => doc.getArray('notes').push(['from peer']));
      expect(await applyOne(host, DOC, update, PEER)).toEqual({ type: 'applied' });
      await write(DOC, (doc) => doc.getArray('notes').push(['local']));
      const content = (await contentOf(host, DOC)) as { notes: string[] };
      expect(content.notes.slice().sort()).toEqual(['from peer', 'local']);
    });

    it('P5 a malformed update is rejected and nothing of it is stored', async () => {
      const { host, write, close } = await start();
      const seen = record(host);
      await write(DOC, setPhone('1'));
      const before = [...(await host.stateVector(DOC))];
      const valid = peerUpdate(await diffOf(host, DOC, EMPTY_SV), (doc) =>
        doc.getArray('notes').push(['x'.repeat(40)]),
      );
      const truncated = valid.slice(0, valid.length - 8);
      await expect(host.applyRemoteChanges(DOC, [plain(truncated)], PEER)).rejects.toBeDefined();
      await expect(host.applyRemoteChanges(OTHER, [plain(truncated)], PEER)).rejects.toBeDefined();
      expect([...host.holdings()]).toEqual([DOC]);
      expect(seen.holdings).toEqual([[DOC]]);
      expect(seen.updates.filter((u) => u.origin === PEER)).toEqual([]);
      await close(DOC);
      expect([...(await host.stateVector(DOC))]).toEqual(before);
      expect(await contentOf(host, DOC)).toEqual({ demographics: { phone: '1' }, notes: [] });
      // The host is still usable: a valid update after the bad one applies.
      expect(await applyOne(host, DOC, valid, PEER)).toEqual({ type: 'applied' });
    });

    it('P6 onDocUpdate names the origin: local writes as local, remote ones by peer, no echo of an unchanged one', async () => {
      const { host, write } = await start();
      const seen = record(host);
      const updates: Uint8Array[] = [];
      host.onDocUpdate((_docId, changes) => updates.push(...changes));
      await write(DOC, setPhone('1'));
      const remote = peerUpdate(await diffOf(host, DOC, EMPTY_SV), (doc) =>
        doc.getArray('notes').push(['peer']),
      );
      await host.applyRemoteChanges(DOC, [plain(remote)], PEER);
      await host.applyRemoteChanges(DOC, [plain(remote)], PEER);
      expect(seen.updates).toEqual([
        { docId: DOC, origin: 'local' },
        { docId: DOC, origin: PEER },
      ]);
      // What was announced is enough to rebuild the doc elsewhere (forwarding sends exactly it).
      const elsewhere = new Y.Doc();
      for (const update of updates) Y.applyUpdate(elsewhere, update);
      expect([...Y.encodeStateVector(elsewhere)]).toEqual([...(await host.stateVector(DOC))]);
    });

    it('P6 a listener that unsubscribes hears nothing more', async () => {
      const { host, write } = await start();
      const heard: DocId[] = [];
      const off = host.onDocUpdate((docId) => heard.push(docId));
      const offHoldings = host.onHoldingsChanged((added) => heard.push(...added));
      off();
      offHoldings();
      await write(DOC, setPhone('1'));
      await host.applyRemoteChanges(OTHER, [plain(peerUpdate(undefined, setPhone('2')))], PEER);
      expect(heard).toEqual([]);
    });

    const refusedUpdate = options.refusedUpdate;
    it.skipIf(!refusedUpdate)(
      'P5 an update the policy refuses resolves refused: nothing stored, held or announced',
      async () => {
        const { host, write } = await start();
        await write(DOC, setPhone('1'));
        const seen = record(host);
        const before = [...(await host.stateVector(DOC))];
        const outcome = await applyOne(host, DOC, (refusedUpdate as () => Uint8Array)(), PEER);
        expect(outcome.type).toBe('refused');
        const other = await applyOne(host, OTHER, (refusedUpdate as () => Uint8Array)(), PEER);
        expect(other.type).toBe('refused');
        expect([...(await host.stateVector(DOC))]).toEqual(before);
        expect(host.holdings().has(OTHER)).toBe(false);
        expect(seen).toEqual({ updates: [], holdings: [] });
      },
    );
  });
}
