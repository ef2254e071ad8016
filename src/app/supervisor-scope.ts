/**
 * MS16: a supervisor's device holds no facility of its own, so nothing brings it registers by
 * interest. It asks the network for the register of every facility in its read scope (a
 * district, or all), again whenever the network's facilities or its peers change, until it holds
 * them; from then on they sync like any held document (H3, H4). Its peers send only what its
 * scope lets it read (A20). Each facility's report document (RP7) is asked for the same way: it
 * is the supervisor's main screen, and a facility that has published nothing yet is `not-found`
 * until it does.
 */
import { networkDocId, registerDocId, reportDocId } from '../crdt/doc-id';
import { readFacilities } from '../crdt/network-doc';
import type { DocumentRepository } from '../crdt/repository';
import type { SyncEngine, SyncLogger } from '../sync';
import type { AppReplicaHost } from './replica-host';
import type { TrustService } from './trust-service';

export interface ScopeFollowerDeps {
  repo: DocumentRepository;
  host: AppReplicaHost;
  trust: TrustService;
  engine(): SyncEngine | undefined;
  logger: SyncLogger;
  requestTimeoutMs: number;
}

export function createScopeFollower(deps: ScopeFollowerDeps) {
  const asking = new Set<string>();

  async function follow(): Promise<void> {
    const state = deps.trust.state();
    const engine = deps.engine();
    if (!engine || state.kind !== 'member' || state.member.role !== 'supervisor') return;
    const scope = state.member.readScope;
    if (!scope) return;
    const network = await deps.repo.get(networkDocId);
    const held = deps.host.holdings();
    for (const facility of readFacilities(network)) {
      if (scope.kind === 'district' && facility.district !== scope.district) continue;
      for (const docId of [registerDocId(facility.code), reportDocId(facility.code)]) {
        if (held.has(docId) || asking.has(docId)) continue;
        asking.add(docId);
        engine
          .request(docId, { timeoutMs: deps.requestTimeoutMs })
          .then((result) => {
            if (!result.ok)
              deps.logger.log('info', 'scope-register-not-yet', { docId, why: result.error });
          })
          .catch((error: unknown) =>
            deps.logger.log('warn', 'scope-register-failed', { docId, error: String(error) }),
          )
          .finally(() => asking.delete(docId));
      }
    }
  }

  return { follow: () => void follow() };
}
