/**
 * The words around the charts: each chart's one-sentence summary (its figcaption, what a screen
 * reader hears) and how a value is written in its table. Dates stay YYYY-MM-DD (../format.ts).
 */
import { t } from '../i18n/i18n.svelte';
import { monthLabel, vlLogFloor, type MonthPoint, type VlPoint, type WeightPoint } from './series';

import type uPlot from 'uplot';

export type Lang = 'en' | 'sw';

/** What a chart draws: uPlot's options without a size (the container gives it), and the data. */
export type ChartBuild = () => {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
};

export const formatNumber = (value: number, lang: Lang): string =>
  new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);

/** A result as entered: "not detected" for 0; under the floor also says where it is drawn. */
export function vlValueText(point: VlPoint, lang: Lang): string {
  if (point.copies === 0)
    return `${t('charts.notDetected')} (${t('charts.drawnAtFloor', { floor: vlLogFloor })})`;
  const value = formatNumber(point.copies, lang);
  return point.belowFloor ? `${value} (${t('charts.drawnAtFloor', { floor: vlLogFloor })})` : value;
}

/** "Viral load: 5 results, last 40 copies/mL on 2026-03-02, suppressed". */
export function vlSummary(points: readonly VlPoint[], lang: Lang): string {
  const last = points.at(-1);
  if (!last) return t('charts.vlNone');
  return t('charts.vlSummary', {
    count: points.length,
    value: last.copies === 0 ? t('charts.notDetected') : formatNumber(last.copies, lang),
    date: last.date,
    state: t(`charts.state.${last.state}`),
  });
}

export function weightSummary(points: readonly WeightPoint[], lang: Lang): string {
  const last = points.at(-1);
  if (!last) return t('charts.weightNone');
  return t('charts.weightSummary', {
    count: points.length,
    value: formatNumber(last.kg, lang),
    date: last.date,
  });
}

export type TrendUnit = 'percent' | 'count';

export function trendValueText(value: number | null, unit: TrendUnit, lang: Lang): string {
  if (value === null) return t('charts.noFigure');
  const text = formatNumber(value, lang);
  return unit === 'percent' ? t('charts.percent', { value: text }) : text;
}

/** "VL suppressed: 11 months with a figure, last 92.5 % in Mar 2026". */
export function trendSummary(
  title: string,
  points: readonly MonthPoint[],
  unit: TrendUnit,
  lang: Lang,
): string {
  const known = points.filter((p) => p.value !== null);
  const last = known.at(-1);
  if (!last) return t('charts.trendNone', { title });
  return t('charts.trendSummary', {
    title,
    count: known.length,
    value: trendValueText(last.value, unit, lang),
    month: monthLabel(last.month, lang),
  });
}
