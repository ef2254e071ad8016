/**
 * One session's view of its peer's identity and role (auth.md A15–A23): runs the exchange over
 * the channel's binding, then answers what the peer may read and whether what it sends may be
 * a write. The session owns the messages and the states; this owns the trust decisions.
 */
import type { DocId } from '../../crdt/doc-id';
import { RefusalReason, type UpdateRefusal } from '../../crdt/policy/refusal';
import type { Member } from '../../crdt/trust/types';
import { err, ok, type Result } from '../../lib/result';
import type { Hello } from '../codec';
import { isEmptyUpdate } from '../empty-update';
import {
  createAuthExchange,
  type AuthExchange,
  type AuthRefusal,
  type NonceRegistry,
} from './handshake';
import { isReadOnly, type SyncAuth } from './session-auth';

export interface PeerAuthContext {
  config: SyncAuth;
  nonces: NonceRegistry;
}

export class PeerAuth {
  private readonly exchange: AuthExchange;
  /** A15: who the peer proved to be, as the membership says now. */
  private proven: Member | undefined;

  constructor(
    private readonly ctx: PeerAuthContext,
    binding: Uint8Array,
  ) {
    this.exchange = createAuthExchange({
      ...ctx.config,
      channelBinding: binding,
      nonces: ctx.nonces,
    });
  }

  get member(): Member | undefined {
    return this.proven;
  }

  /** A2: our challenge, sent first. */
  challenge(): Uint8Array {
    return this.exchange.challenge();
  }

  /** A2, A8–A13, A17: checks the peer's claim; on success, our proof to send. */
  async onChallenge(payload: Uint8Array): Promise<Result<Uint8Array, AuthRefusal>> {
    const claim = this.exchange.onChallenge(payload);
    if (!claim.ok) return claim;
    return ok(await this.exchange.proof());
  }

  /** A12: the peer is authenticated once its proof verifies. */
  async onProof(payload: Uint8Array): Promise<Result<Member, AuthRefusal>> {
    const peer = await this.exchange.onProof(payload);
    if (!peer.ok) return err(peer.error);
    this.proven = peer.value.member;
    return ok(peer.value.member);
  }

  /** A18–A19: the hello must name the proven device, its facility and its role. */
  helloMismatch(hello: Hello): string | undefined {
    const member = this.proven;
    if (!member) return 'hello before the peer proved who it is';
    if (hello.deviceId !== member.deviceId) return `hello names ${hello.deviceId}`;
    if (hello.relay && member.role !== 'relay') return 'claims to be a relay';
    if (member.role === 'clinician' && hello.facility !== (member.facilityCode ?? '')) {
      return `hello names facility ${hello.facility}`;
    }
    return undefined;
  }

  /** A22: whether the proven device is still enrolled and not revoked (refreshes its entry). */
  stillEnrolled(): boolean {
    const member = this.proven;
    if (!member) return true; // not proven yet: the exchange itself checks (A10)
    const now = this.ctx.config.lookupMember(member.deviceId);
    if (!now || now.revokedBy !== undefined || this.ctx.config.isRevoked(member.deviceId)) {
      return false;
    }
    this.proven = now;
    return true;
  }

  /** A20: whether the peer's role lets it receive a doc. */
  mayRead(docId: DocId): boolean {
    return this.proven !== undefined && this.ctx.config.mayRead(this.proven, docId);
  }

  /** A21: whether the peer's role writes nothing. */
  get peerReadOnly(): boolean {
    return this.proven !== undefined && isReadOnly(this.proven);
  }

  /** A21: whether this device's own role writes nothing (it answers asks with empty updates). */
  get selfReadOnly(): boolean {
    const self = this.ctx.config.lookupMember(this.ctx.config.self.deviceId);
    return self !== undefined && isReadOnly(self);
  }

  /** A21: a read-only peer sends nothing but empty answers; anything else is a forced write. */
  roleRefusal(update: Uint8Array): UpdateRefusal | undefined {
    const member = this.proven;
    if (!member || !isReadOnly(member) || isEmptyUpdate(update)) return undefined;
    return {
      reason: RefusalReason.readOnlyRole,
      detail: `${member.deviceId} is a ${member.role} device and may not write`,
    };
  }
}
