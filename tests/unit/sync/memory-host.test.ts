/** The memory host passes the ReplicaHost conformance suite (it has no update policy). */
import { createMemoryHost } from '../../../src/sync/memory-host';
import { runReplicaHostConformance } from './host-conformance';

runReplicaHostConformance('memory host', () => {
  const host = createMemoryHost();
  return Promise.resolve({
    host,
    write: (docId, edit) => Promise.resolve(host.change(docId, edit)),
    // Every doc of the memory host stays open.
    close: () => Promise.resolve(),
    teardown: () => Promise.resolve(),
  });
});
