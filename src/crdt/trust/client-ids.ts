/**
 * The Yjs client ids a device may write under (SC3): derived from its public key, so any peer can
 * check that a signed change carries only its signer's structs without being told anything else.
 * Two devices can then never write under one client id, which is what made equal digests over
 * different content possible (issue 8 point 5). A tab leases one of the ids (client-id-lease.ts).
 */
import { utf8 } from './encoding';
import type { PublicKeyB64 } from './types';

/** How many ids a device has: one per tab open at once (the lease pool size). */
export const clientIdsPerDevice = 8;

const domain = 'pamoja-client-id\n';

/**
 * The device's client ids, in index order: the first four bytes (big-endian) of
 * SHA-256("pamoja-client-id\n" + publicKey + index), top bit cleared, so each is a uint32 below
 * 2^31 as Yjs client ids are.
 */
export async function deviceClientIds(publicKey: PublicKeyB64): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < clientIdsPerDevice; index++) {
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new Uint8Array(utf8(`${domain}${publicKey}${index}`)),
    );
    ids.push(new DataView(digest).getUint32(0) & 0x7fffffff);
  }
  return ids;
}

/** Remembers each key's ids (a session checks many changes per signer). Bounded, oldest out. */
export function createClientIdBook(
  capacity = 1024,
): (publicKey: PublicKeyB64) => Promise<ReadonlySet<number>> {
  const known = new Map<string, Promise<ReadonlySet<number>>>();
  return (publicKey) => {
    const hit = known.get(publicKey);
    if (hit) return hit;
    const ids = deviceClientIds(publicKey).then((list) => new Set(list));
    known.set(publicKey, ids);
    if (known.size > capacity) {
      const oldest = known.keys().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
    return ids;
  };
}
