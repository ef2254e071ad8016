import { StorageError, type StorageErrorCode } from '../crdt/ports';

/**
 * Browsers report a full disk in several shapes: a DOMException named QuotaExceededError
 * (legacy code 22), the same wrapped by Dexie (`inner`), an AbortError whose transaction
 * failed because of quota (`inner`/`cause`), or one failure inside a Dexie BulkError.
 * Nesting is shallow in practice; the depth limit only guards against cyclic error graphs.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: unknown;
    code?: unknown;
    inner?: unknown;
    cause?: unknown;
    failures?: unknown;
  };
  if (candidate.name === 'QuotaExceededError') return true;
  if (candidate.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (typeof DOMException !== 'undefined' && error instanceof DOMException && error.code === 22) {
    return true;
  }
  if (isQuotaError(candidate.inner, depth + 1) || isQuotaError(candidate.cause, depth + 1)) {
    return true;
  }
  return (
    Array.isArray(candidate.failures) &&
    candidate.failures.some((failure) => isQuotaError(failure, depth + 1))
  );
}

const unavailableNames = new Set([
  'MissingAPIError',
  'OpenFailedError',
  'DatabaseClosedError',
  'InvalidStateError',
  'SecurityError',
  'VersionError',
  'UpgradeError',
]);

function isUnavailableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && unavailableNames.has(name);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Turns whatever the storage engine threw into a `StorageError` with a stable code.
 * `fallback` is what an unrecognised failure means for the operation: a failed write is
 * 'write-failed', a failed read means storage cannot be used ('storage-unavailable').
 */
export function toStorageError(
  error: unknown,
  operation: string,
  fallback: StorageErrorCode,
): StorageError {
  if (error instanceof StorageError) return error;
  let code: StorageErrorCode = fallback;
  if (isQuotaError(error)) code = 'quota-exceeded';
  else if (isUnavailableError(error)) code = 'storage-unavailable';
  return new StorageError(code, `${operation} failed: ${describe(error)}`, { cause: error });
}
