import { getContext } from 'svelte';
import type { ClinicService } from '../../app/views';
import type { Session } from './session.svelte';

const sessionKey = Symbol('session');

/** The context map `mount()` is given, so every screen can reach the session. */
export function sessionContext(session: Session): Map<symbol, Session> {
  return new Map([[sessionKey, session]]);
}

export function useSession(): Session {
  const session = getContext<Session | undefined>(sessionKey);
  if (!session) throw new Error('useSession() called outside a mounted Pamoja app');
  return session;
}

export function useService(): ClinicService {
  return useSession().service;
}
