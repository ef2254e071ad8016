import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../../../src/domain/types';
import { createSeededRandom } from '../../../src/lib/deps';
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  type DeviceKey,
} from '../../../src/crdt/trust/device-key';
import type { KeyAlgorithm, Member } from '../../../src/crdt/trust/types';
import {
  AuthCloseReason,
  createAuthExchange,
  createNonceRegistry,
  type AuthExchange,
  type AuthExchangeOptions,
  type NonceRegistry,
} from '../../../src/sync/auth/handshake';
import { MAX_AUTH_MESSAGE_BYTES } from '../../../src/sync/auth/auth-codec';

const SEED = 0x8a17;

/** Seeded bytes (fixed seed): nonces in tests are reproducible. */
function seededBytes(seed: number) {
  const random = createSeededRandom(seed);
  return (length: number) => Uint8Array.from({ length }, () => Math.floor(random.next() * 256));
}

interface Device {
  key: DeviceKey;
  deviceId: DeviceId;
  member: Member;
}

async function makeDevice(algorithm: KeyAlgorithm = 'Ed25519'): Promise<Device> {
  const key = await createDeviceKey({ algorithm });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  const member: Member = {
    deviceId,
    publicKey: key.publicKey,
    algorithm: key.algorithm,
    role: 'clinician',
  };
  return { key, deviceId, member };
}

const verifier = createWebCryptoVerifier();
const binding = (label: string) => new TextEncoder().encode(label);

/** The membership as one process sees it; tests change it to enrol, revoke or expire. */
interface Membership {
  members: Map<string, Member>;
  revoked: Set<string>;
}
const membershipOf = (...devices: Device[]): Membership => ({
  members: new Map(devices.map((d) => [d.deviceId as string, d.member])),
  revoked: new Set(),
});

let seedCounter = SEED;
function exchangeFor(
  self: Device,
  membership: Membership,
  extra: Partial<AuthExchangeOptions> & { nonces?: NonceRegistry } = {},
): AuthExchange {
  return createAuthExchange({
    self: { ...self.key, deviceId: self.deviceId },
    channelBinding: binding('memory:channel-1'),
    lookupMember: (id) => membership.members.get(id),
    isRevoked: (id) => membership.revoked.has(id),
    verifier,
    nonces: createNonceRegistry(),
    random: seededBytes(seedCounter++),
    ...extra,
  });
}

/** Runs both halves of the exchange over a perfect channel. */
async function run(a: AuthExchange, b: AuthExchange) {
  const claimOfB = a.onChallenge(b.challenge());
  const claimOfA = b.onChallenge(a.challenge());
  if (!claimOfA.ok || !claimOfB.ok) return { atA: claimOfB, atB: claimOfA };
  const [proofA, proofB] = await Promise.all([a.proof(), b.proof()]);
  const [atA, atB] = await Promise.all([a.onProof(proofB), b.onProof(proofA)]);
  return { atA, atB };
}

describe('peer authentication (auth.md)', () => {
  it.each<KeyAlgorithm>(['Ed25519', 'P-256'])(
    'A2 A3 A6: an honest pair (%s) authenticates both ways',
    async (algorithm) => {
      const alice = await makeDevice(algorithm);
      const bob = await makeDevice(algorithm);
      const membership = membershipOf(alice, bob);
      const a = exchangeFor(alice, membership);
      const b = exchangeFor(bob, membership);
      const { atA, atB } = await run(a, b);
      expect(atA).toMatchObject({ ok: true, value: { deviceId: bob.deviceId } });
      expect(atB).toMatchObject({ ok: true, value: { deviceId: alice.deviceId } });
      expect(a.peer?.publicKey).toBe(bob.key.publicKey);
      expect(b.peer?.member).toEqual(alice.member);
    },
  );

  it('A4 A2: challenge and proof stay small (a few hundred bytes per reconnect)', async () => {
    const alice = await makeDevice('P-256');
    const bob = await makeDevice('P-256');
    const membership = membershipOf(alice, bob);
    const a = exchangeFor(alice, membership);
    const b = exchangeFor(bob, membership);
    expect(a.onChallenge(b.challenge()).ok).toBe(true);
    expect(a.challenge().length).toBeLessThanOrEqual(128);
    expect((await a.proof()).length).toBeLessThanOrEqual(70);
  });

  it('A6 A8: a proof from another session (other nonce) fails', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    const first = exchangeFor(alice, membership);
    const bobThen = exchangeFor(bob, membership);
    const oldChallenge = bobThen.challenge();
    expect(first.onChallenge(oldChallenge).ok).toBe(true);
    bobThen.onChallenge(first.challenge());
    const oldProof = await bobThen.proof();
    expect((await first.onProof(oldProof)).ok).toBe(true);

    // Another process of Alice (fresh nonce registry): the old challenge passes the nonce
    // check, but the proof was made for Alice's old nonce.
    const later = exchangeFor(alice, membership);
    expect(later.onChallenge(oldChallenge).ok).toBe(true);
    expect(await later.onProof(oldProof)).toMatchObject({
      ok: false,
      error: { type: 'bad-proof' },
    });
    expect(later.peer).toBeUndefined();
  });

  it('A7: a proof relayed by a man in the middle (other channel binding) fails on both sides', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    // The relay forwards every byte unchanged, but each side's channel is one the relay
    // terminated, so each side computes its own binding.
    const a = exchangeFor(alice, membership, { channelBinding: binding('dtls:alice|relay') });
    const b = exchangeFor(bob, membership, { channelBinding: binding('dtls:relay|bob') });
    const { atA, atB } = await run(a, b);
    expect(atA).toMatchObject({ ok: false, error: { type: 'bad-proof' } });
    expect(atB).toMatchObject({ ok: false, error: { type: 'bad-proof' } });
  });

  it("A5: a side's own proof reflected back to it fails", async () => {
    const alice = await makeDevice();
    const mallory = await makeDevice();
    const membership = membershipOf(alice);
    const a = exchangeFor(alice, membership);
    // Mallory claims to be Alice (her id and key, a nonce of its own), then echoes Alice's proof.
    const aliceAsClaimed = exchangeFor(
      { ...mallory, key: alice.key, deviceId: alice.deviceId },
      membership,
      { random: seededBytes(SEED + 999) },
    );
    expect(a.onChallenge(aliceAsClaimed.challenge()).ok).toBe(true);
    const aliceProof = await a.proof();
    expect(await a.onProof(aliceProof)).toMatchObject({ ok: false, error: { type: 'bad-proof' } });
  });

  it('A11: a device id claimed with a different key is a key-mismatch', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const mallory = await makeDevice();
    const membership = membershipOf(alice, bob);
    const a = exchangeFor(alice, membership);
    const impostor = exchangeFor({ ...mallory, deviceId: bob.deviceId }, membership);
    expect(a.onChallenge(impostor.challenge())).toMatchObject({
      ok: false,
      error: { type: 'key-mismatch' },
    });
    // The exchange is over: a proof afterwards is not even looked at.
    expect(await a.onProof(await bobProofFor(bob, membership, a))).toMatchObject({
      ok: false,
      error: { type: 'unexpected' },
    });
  });

  it('A11: the right key under the wrong algorithm is a key-mismatch', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    membership.members.set(bob.deviceId, { ...bob.member, algorithm: 'P-256' });
    const a = exchangeFor(alice, membership);
    const b = exchangeFor(bob, membership);
    expect(a.onChallenge(b.challenge())).toMatchObject({
      ok: false,
      error: { type: 'key-mismatch' },
    });
  });

  it('A9: an unenrolled device is refused as unenrolled', async () => {
    const alice = await makeDevice();
    const stranger = await makeDevice();
    const membership = membershipOf(alice);
    const a = exchangeFor(alice, membership);
    const s = exchangeFor(stranger, membershipOf(alice, stranger));
    expect(a.onChallenge(s.challenge())).toMatchObject({
      ok: false,
      error: { type: 'unenrolled' },
    });
  });

  it('A10: a revoked device is refused as revoked (flag, member record, or revoked mid-exchange)', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();

    const flagged = membershipOf(alice, bob);
    flagged.revoked.add(bob.deviceId);
    const byFlag = await run(
      exchangeFor(alice, flagged),
      exchangeFor(bob, membershipOf(alice, bob)),
    );
    expect(byFlag.atA).toMatchObject({ ok: false, error: { type: 'revoked' } });

    const dropped = membershipOf(alice);
    dropped.revoked.add(bob.deviceId);
    const byDrop = await run(
      exchangeFor(alice, dropped),
      exchangeFor(bob, membershipOf(alice, bob)),
    );
    expect(byDrop.atA).toMatchObject({ ok: false, error: { type: 'revoked' } });

    const recorded = membershipOf(alice, bob);
    recorded.members.set(bob.deviceId, { ...bob.member, revokedBy: 'op-1' });
    const byRecord = await run(
      exchangeFor(alice, recorded),
      exchangeFor(bob, membershipOf(alice, bob)),
    );
    expect(byRecord.atA).toMatchObject({ ok: false, error: { type: 'revoked' } });

    const live = membershipOf(alice, bob);
    const a = exchangeFor(alice, live);
    const b = exchangeFor(bob, membershipOf(alice, bob));
    expect(a.onChallenge(b.challenge()).ok).toBe(true);
    b.onChallenge(a.challenge());
    live.revoked.add(bob.deviceId); // the revocation arrives before Bob's proof does
    expect(await a.onProof(await b.proof())).toMatchObject({
      ok: false,
      error: { type: 'revoked' },
    });
  });

  it('A13: a member whose enrolment expired is refused as expired', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    const a = exchangeFor(alice, membership, { isExpired: (m) => m.deviceId === bob.deviceId });
    expect(a.onChallenge(exchangeFor(bob, membership).challenge())).toMatchObject({
      ok: false,
      error: { type: 'expired' },
    });
  });

  it('A8: a challenge nonce seen before in this process is replayed, also when reflected', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    const nonces = createNonceRegistry();
    const bobChallenge = exchangeFor(bob, membership).challenge();
    const first = exchangeFor(alice, membership, { nonces });
    expect(first.onChallenge(bobChallenge).ok).toBe(true);
    const second = exchangeFor(alice, membership, { nonces });
    expect(second.onChallenge(bobChallenge)).toMatchObject({
      ok: false,
      error: { type: 'replayed' },
    });
    const third = exchangeFor(alice, membership, { nonces });
    expect(third.onChallenge(third.challenge())).toMatchObject({
      ok: false,
      error: { type: 'replayed' },
    });
  });

  it('A8: the nonce registry is bounded and forgets the oldest first', () => {
    const registry = createNonceRegistry(2);
    const n = (i: number) => new Uint8Array(32).fill(i);
    expect([registry.admit(n(1)), registry.admit(n(2)), registry.admit(n(3))]).toEqual([
      true,
      true,
      true,
    ]);
    expect(registry.admit(n(3))).toBe(false);
    expect(registry.admit(n(1))).toBe(true); // forgotten: capacity 2
  });

  it('A3: messages out of order are refused as unexpected, never thrown', async () => {
    const alice = await makeDevice();
    const bob = await makeDevice();
    const membership = membershipOf(alice, bob);
    const a = exchangeFor(alice, membership);
    const b = exchangeFor(bob, membership);
    expect(await a.onProof(new Uint8Array([1, 2, 64]))).toMatchObject({
      ok: false,
      error: { type: 'unexpected' },
    });
    const a2 = exchangeFor(alice, membership);
    expect(a2.onChallenge(b.challenge()).ok).toBe(true);
    expect(a2.onChallenge(b.challenge())).toMatchObject({
      ok: false,
      error: { type: 'unexpected' },
    });
    await expect(exchangeFor(alice, membership).proof()).rejects.toThrow();
  });

  describe('A4: malformed or oversize frames are malformed, never a throw', () => {
    async function pair() {
      const alice = await makeDevice();
      const bob = await makeDevice();
      const membership = membershipOf(alice, bob);
      return { alice, bob, membership };
    }

    it('A4: hand-made bad challenges', async () => {
      const { alice, bob, membership } = await pair();
      const good = exchangeFor(bob, membership).challenge();
      const bad: [string, unknown][] = [
        ['empty', new Uint8Array()],
        ['not bytes', 'hello'],
        ['truncated', good.slice(0, good.length - 1)],
        ['trailing byte', Uint8Array.from([...good, 0])],
        ['other format version', Uint8Array.from([9, ...good.slice(1)])],
        ['a proof where a challenge goes', Uint8Array.from([1, 2, ...good.slice(2)])],
        ['oversize', new Uint8Array(MAX_AUTH_MESSAGE_BYTES + 1)],
      ];
      // Wrong key length for the algorithm: claim P-256 (code 2) for a 32-byte key.
      const idLength = good[2] as number;
      const wrongAlgorithm = good.slice();
      wrongAlgorithm[3 + idLength] = 2;
      bad.push(['key length not the algorithm', wrongAlgorithm]);
      for (const [name, bytes] of bad) {
        const result = exchangeFor(alice, membership).onChallenge(bytes);
        expect(result, name).toMatchObject({ ok: false, error: { type: 'malformed' } });
      }
    });

    it('A4: hand-made bad proofs', async () => {
      const { alice, bob, membership } = await pair();
      const bad: unknown[] = [
        new Uint8Array([1, 2, 63, ...new Uint8Array(63)]),
        new Uint8Array([1, 2, 64, ...new Uint8Array(64), 0]),
        new Uint8Array(MAX_AUTH_MESSAGE_BYTES + 1),
        null,
      ];
      for (const bytes of bad) {
        const fresh = exchangeFor(bob, membership);
        const a = exchangeFor(alice, membership);
        expect(a.onChallenge(fresh.challenge()).ok).toBe(true);
        expect(await a.onProof(bytes)).toMatchObject({ ok: false, error: { type: 'malformed' } });
      }
    });

    it('A4: random bytes (seeded) never throw and never authenticate', async () => {
      const { alice, bob, membership } = await pair();
      const seed = SEED;
      try {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 700 }), async (bytes) => {
            const a = exchangeFor(alice, membership);
            const challenge = a.onChallenge(bytes);
            expect(challenge.ok).toBe(false);
            const b = exchangeFor(alice, membership);
            expect(b.onChallenge(exchangeFor(bob, membership).challenge()).ok).toBe(true);
            const proof = await b.onProof(bytes);
            expect(proof.ok).toBe(false);
            expect(b.peer).toBeUndefined();
          }),
          { seed, numRuns: 200 },
        );
      } catch (error) {
        console.error(`A4 fuzz failed with seed ${seed}`);
        throw error;
      }
    });
  });

  it('A14: every refusal has a typed close reason for the peer', () => {
    for (const reason of Object.values(AuthCloseReason)) {
      expect(reason).toMatch(/^auth-[a-z-]+$/);
      expect(reason.length).toBeLessThanOrEqual(64);
    }
  });
});

/** Bob's genuine proof for Alice's exchange `a`, made on Bob's own exchange. */
async function bobProofFor(bob: Device, membership: Membership, a: AuthExchange) {
  const b = exchangeFor(bob, membership);
  b.onChallenge(a.challenge());
  return b.proof();
}
