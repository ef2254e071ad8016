/**
 * The report service as the app holds it from start-up: a stand-in that fetches the report code
 * (report-service.ts, the monthly report of src/domain/care, the report document) on its first
 * call, so none of it is in the first screen's code (issue 9 budget). `start()` is that first
 * call, made by `startBackground` after the first screen is drawn; records changed before then
 * are read when the first publication builds its cache.
 */
import type { createReportService, ReportService, ReportServiceDeps } from './report-service';

type Loader = () => Promise<{ createReportService: typeof createReportService }>;

export function lazyReportService(deps: ReportServiceDeps, load: Loader): ReportService {
  let loaded: Promise<ReportService> | undefined;
  let stopped = false;
  const real = (): Promise<ReportService> =>
    (loaded ??= load().then((module) => module.createReportService(deps)));
  return {
    start() {
      stopped = false;
      real()
        .then((reports) => {
          if (!stopped) reports.start();
        })
        .catch((error: unknown) => console.error('Report service did not load', error));
    },
    stop() {
      stopped = true;
      void loaded?.then((reports) => reports.stop());
    },
    publish: () => real().then((reports) => reports.publish()),
    localReport: (month) => real().then((reports) => reports.localReport(month)),
    published: (facilities) => real().then((reports) => reports.published(facilities)),
    staleAfterDays: () => real().then((reports) => reports.staleAfterDays()),
    setStaleAfterDays: (raw) => real().then((reports) => reports.setStaleAfterDays(raw)),
  };
}
