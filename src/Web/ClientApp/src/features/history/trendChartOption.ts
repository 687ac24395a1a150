// The trend chart's ECharts option, pure so the series, labels and overlay are unit tested without a canvas.
import { formatMoneyCompact } from '../../lib/format';
import { formatKpi, trendMetricKind, trendMetricLabels, trendValue, type TrendMetric } from './kpis';
import { describePeriod } from './period';
import type { Grain, HistoryTrend, TrendPoint } from './types';

export interface TrendColors {
  current: string;
  comparison: string;
  text: string;
  grid: string;
  tooltipBackground: string;
  tooltipText: string;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An axis label from a bucket's store-local start ("2026-11-20T14:00:00"). The string is read as it is: turning it
 * into a Date would move it into the browser's zone, and the store's day is what the person asked about.
 */
export function bucketLabel(start: string, grain: Grain, spansDays: boolean): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(start);
  if (!match) return start;
  const [, , month, day, hour, minute] = match;
  const date = `${Number(day)} ${months[Number(month) - 1] ?? month}`;
  switch (grain) {
    case 'week':
      return `w/c ${date}`;
    case 'day':
      return date;
    default:
      return spansDays ? `${date} ${hour}:${minute}` : `${hour}:${minute}`;
  }
}

/** How the chart reads to a screen reader: what is drawn, over when, and the highest point. */
export function describeTrend(trend: HistoryTrend, metric: TrendMetric): string {
  const kind = trendMetricKind(metric);
  const label = trendMetricLabels[metric];
  const spans = trend.period.from !== trend.period.to;
  let best: TrendPoint | null = null;
  for (const point of trend.points) {
    const value = trendValue(point, metric);
    if (value !== null && (best === null || value > (trendValue(best, metric) ?? -Infinity))) best = point;
  }
  const head = `${label} by ${trend.grain}, ${describePeriod(trend.period)}`;
  const overlay = trend.comparison ? `, compared with ${describePeriod(trend.comparison)}` : '';
  const peak = best
    ? `; highest ${formatKpi(trendValue(best, metric), kind, trend.currency)} at ${bucketLabel(best.start, trend.grain, spans)}`
    : '; no data';
  return `${head}${overlay}${peak}.`;
}

export interface TrendOptionInput {
  trend: HistoryTrend;
  metric: TrendMetric;
  colors: TrendColors;
  animate: boolean;
}

/** Current period as a solid line, the comparison as a dashed one lined up bucket for bucket. */
export function buildTrendChartOption({ trend, metric, colors, animate }: TrendOptionInput) {
  const kind = trendMetricKind(metric);
  const spans = trend.period.from !== trend.period.to;
  const labels = trend.points.map((p) => bucketLabel(p.start, trend.grain, spans));
  const current = trend.points.map((p) => trendValue(p, metric));
  const earlier = trend.comparisonPoints?.map((p) => trendValue(p, metric)) ?? null;
  const axisValue = (value: number) =>
    kind === 'money' ? formatMoneyCompact(value, trend.currency) : formatKpi(value, kind, trend.currency);
  const currentName = describePeriod(trend.period);
  const comparisonName = trend.comparison ? describePeriod(trend.comparison) : '';

  const series: object[] = [
    {
      name: currentName,
      type: 'line',
      data: current,
      showSymbol: trend.points.length <= 60,
      symbolSize: 7,
      lineStyle: { width: 2.5, color: colors.current },
      itemStyle: { color: colors.current },
      areaStyle: { color: colors.current, opacity: 0.08 },
      connectNulls: false,
    },
  ];
  if (earlier) {
    series.push({
      name: comparisonName,
      type: 'line',
      data: earlier.slice(0, labels.length),
      showSymbol: false,
      lineStyle: { width: 1.5, type: 'dashed', color: colors.comparison },
      itemStyle: { color: colors.comparison },
      connectNulls: false,
    });
  }

  return {
    animation: animate,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { color: colors.text }, data: earlier ? [currentName, comparisonName] : [currentName] },
    tooltip: {
      trigger: 'axis',
      backgroundColor: colors.tooltipBackground,
      borderColor: colors.grid,
      textStyle: { color: colors.tooltipText },
      formatter: (items: { dataIndex: number; seriesIndex: number }[]) => {
        const index = items[0]?.dataIndex ?? 0;
        const now = trend.points[index];
        const then = trend.comparisonPoints?.[index];
        const lines: string[] = [];
        if (now) lines.push(`${bucketLabel(now.start, trend.grain, true)}: ${formatKpi(trendValue(now, metric), kind, trend.currency)}`);
        if (then) lines.push(`${bucketLabel(then.start, trend.grain, true)}: ${formatKpi(trendValue(then, metric), kind, trend.currency)}`);
        if (now && trend.grain !== 'minute') lines.push('Click to look closer');
        return lines.join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      boundaryGap: false,
      axisLabel: { color: colors.text, hideOverlap: true },
      axisLine: { lineStyle: { color: colors.grid } },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: colors.text, formatter: axisValue },
      splitLine: { lineStyle: { color: colors.grid, opacity: 0.5 } },
    },
    series,
  };
}
