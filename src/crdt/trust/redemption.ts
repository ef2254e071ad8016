/**
 * A newcomer's redemption of an invite (membership.md MB14, invite.md I4): a `redeem` op signed
 * by its new device key, carrying the invite key's proof over that key, and naming the invite op
 * as its parent so the invite is in its causal past.
 */
import type { DeviceId } from '../../domain/types';
import { inviteKeyFromSecret, redeemProof, type InviteSecret } from './invite';
import { signOp, type MembershipOp } from './membership-op';
import type { Signer } from './types';

export interface RedemptionInput {
  networkId: string;
  /** The id of the admin's `invite` op (the invite link carries it). */
  inviteOpId: string;
  secret: InviteSecret;
  at: number;
}

export async function redeemInvite(
  device: Signer & { deviceId: DeviceId },
  input: RedemptionInput,
): Promise<MembershipOp> {
  const key = await inviteKeyFromSecret(input.secret);
  const proof = await redeemProof(input.secret, device.deviceId, device.publicKey);
  return signOp(device, {
    network: input.networkId,
    parents: [input.inviteOpId],
    at: input.at,
    action: { type: 'redeem', inviteId: key.inviteId, invitePublicKey: key.publicKey, proof },
  });
}
