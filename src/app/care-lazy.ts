/**
 * The care service as the app holds it from start-up: a stand-in that fetches the rules, the
 * lists and the validators (care-service.ts and src/domain/care) on its first call, so none of
 * them is in the first screen's code (issue 9 budget). Home's counts are that first call, made
 * after the first screen is drawn.
 */
import type { CareServiceDeps, createCareService } from './care-service';
import type { CareService } from './care-views';

type Loader = () => Promise<{ createCareService: typeof createCareService }>;

export function lazyCareService(deps: CareServiceDeps, load: Loader): CareService {
  let loaded: Promise<CareService> | undefined;
  const real = (): Promise<CareService> =>
    (loaded ??= load().then((module) => module.createCareService(deps)));
  return {
    followUp: (options) => real().then((care) => care.followUp(options)),
    followUpCounts: () => real().then((care) => care.followUpCounts()),
    patientCare: (ctcId) => real().then((care) => care.patientCare(ctcId)),
    recordTracing: (ctcId, input) => real().then((care) => care.recordTracing(ctcId, input)),
    answerAlert: (ctcId, input) => real().then((care) => care.answerAlert(ctcId, input)),
    onChange(listener) {
      let off: (() => void) | undefined;
      let stopped = false;
      real()
        .then((care) => {
          if (!stopped) off = care.onChange(listener);
        })
        .catch((error: unknown) => console.error('Care service did not load', error));
      return () => {
        stopped = true;
        off?.();
      };
    },
  };
}
