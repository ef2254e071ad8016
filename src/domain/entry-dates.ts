import type { Entry, IsoDate } from './types';

/**
 * The day an entry is about (not when it was written): a visit's date, a result's date, an
 * appointment's date, a status change's date. A demographic edit has none.
 */
export function clinicalDate(entry: Entry): IsoDate | undefined {
  switch (entry.kind) {
    case 'visit':
      return (entry as Entry<'visit'>).data.date;
    case 'result':
      return (entry as Entry<'result'>).data.resultDate;
    case 'appointment':
      return (entry as Entry<'appointment'>).data.date;
    case 'status':
      return (entry as Entry<'status'>).data.date;
    case 'demographics':
      return undefined;
  }
}
