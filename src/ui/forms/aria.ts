import type { FieldIssue } from '../../domain/types';

export const hintId = (name: string) => `${name}-hint`;
export const errorId = (name: string) => `${name}-error`;

/** `aria-describedby` for a field: its hint and its error, whichever are shown. */
export function describedBy(name: string, hasHint: boolean, issue: FieldIssue | undefined) {
  const ids = [hasHint ? hintId(name) : '', issue ? errorId(name) : ''].filter((id) => id !== '');
  return ids.length > 0 ? ids.join(' ') : undefined;
}
