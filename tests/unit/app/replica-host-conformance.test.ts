/**
 * The app's replica host, over the real repository and a Dexie store (fake-indexeddb), passes
 * the ReplicaHost conformance suite. A repository that keeps one patient document open lets the
 * suite close documents; a small test policy (refusing a `forbidden` root) exercises the refused
 * outcome, whatever the real policy's rules are.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import * as Y from 'yjs';
import { createReplicaHost } from '../../../src/app/replica-host';
import type { DocId } from '../../../src/crdt/doc-id';
import type { RemoteUpdateCheck } from '../../../src/crdt/policy/refusal';
import { DocumentRepository } from '../../../src/crdt/repository';
import { err, ok } from '../../../src/lib/result';
import { createDexieStore } from '../../../src/storage/dexie-store';
import { runReplicaHostConformance } from '../sync/host-conformance';
import { testClock } from './harness';

const FILLERS = ['patient:01020003990001', 'patient:01020003990002'] as DocId[];

const refusesForbiddenRoot: RemoteUpdateCheck = (_docId, _live, update) =>
  Y.decodeUpdate(update).structs.some(
    (s) => s instanceof Y.Item && (s.parent as unknown) === 'forbidden',
  )
    ? err({ reason: 'unknown-key', detail: 'forbidden root' })
    : ok(undefined);

function forbiddenUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('forbidden').set('key', 'value');
  return Y.encodeStateAsUpdate(doc);
}

runReplicaHostConformance(
  'app host (repository over Dexie)',
  async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const store = createDexieStore({
      name: 'host-conformance',
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      clock,
    });
    await store.open();
    const repo = new DocumentRepository({
      store,
      clock,
      cacheLimit: 1,
      compactAfter: 2,
      checkRemote: refusesForbiddenRoot,
    });
    const host = createReplicaHost(repo, store);
    await host.init();
    return {
      host,
      write: async (docId, edit) => {
        await repo.write(docId, edit);
      },
      // Opening other patient documents evicts this one (one is kept open).
      close: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        for (const filler of FILLERS) await repo.get(filler);
      },
      teardown: () => store.close(),
    };
  },
  { refusedUpdate: forbiddenUpdate },
);
