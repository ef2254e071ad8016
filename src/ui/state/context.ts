import { getContext } from 'svelte';
import type { CareService } from '../../app/care-views';
import type { ReportService } from '../../app/report-service';
import type { ClinicService } from '../../app/views';
import type { Session } from './session.svelte';

const sessionKey = Symbol('session');
const careKey = Symbol('care');

/**
 * The context map `mount()` is given, so every screen can reach the session and, where the app
 * has one, the care service (issue 10: follow-up lists, alerts, tracing).
 */
export function sessionContext(session: Session, care?: CareService): Map<symbol, unknown> {
  const context = new Map<symbol, unknown>([[sessionKey, session]]);
  if (care) context.set(careKey, care);
  return context;
}

/** Undefined where the app was mounted without one (a test of another screen). */
export function useCare(): CareService | undefined {
  return getContext<CareService | undefined>(careKey);
}

const reportsKey = Symbol('reports');

/** Adds the report service (decision 0026) to a context map `sessionContext` made. */
export function withReports<T extends Map<symbol, unknown>>(context: T, reports: ReportService): T {
  context.set(reportsKey, reports);
  return context;
}

/** Undefined where the app was mounted without one (a test of another screen). */
export function useReports(): ReportService | undefined {
  return getContext<ReportService | undefined>(reportsKey);
}

export function useSession(): Session {
  const session = getContext<Session | undefined>(sessionKey);
  if (!session) throw new Error('useSession() called outside a mounted Pamoja app');
  return session;
}

export function useService(): ClinicService {
  return useSession().service;
}
