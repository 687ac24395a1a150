// Builds the ECharts option for revenue per minute; pure, so axis and tooltip text are unit tested.
import type { ChartColors } from '../../lib/charts';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import { formatLocalTime, formatMoney, formatMoneyCompact, formatOrders } from '../../lib/format';
import type { MinutePoint } from '../../lib/types';

export type RevenueChartOption = ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption>;

/** Theme colours read from the page's CSS variables, so the chart follows light/dark like everything else. */
export type { ChartColors } from '../../lib/charts';

export interface RevenueChartInput {
  points: readonly MinutePoint[];
  currency: string;
  timeZone: string;
  colors: ChartColors;
  animate: boolean;
}

/** One tooltip line: "14:05 · £120.00 · 3 orders". */
export function describeMinute(point: MinutePoint, currency: string, timeZone: string): string {
  return `${formatLocalTime(point.minute, timeZone)} · ${formatMoney(point.grossRevenue, currency)} · ${formatOrders(point.orders)}`;
}

/** The chart's summary for screen readers, which cannot see the bars. */
export function describeRevenue(points: readonly MinutePoint[], currency: string, timeZone: string): string {
  if (points.length === 0) return 'Revenue per minute: no data yet.';
  const total = points.reduce((sum, p) => sum + p.grossRevenue, 0);
  const orders = points.reduce((sum, p) => sum + p.orders, 0);
  const busiest = points.reduce((best, p) => (p.grossRevenue > best.grossRevenue ? p : best));
  const summary = `Revenue per minute over the last ${points.length} minutes: ${formatMoney(total, currency)} from ${formatOrders(orders)}.`;
  return busiest.grossRevenue > 0
    ? `${summary} Busiest minute ${formatLocalTime(busiest.minute, timeZone)} with ${formatMoney(busiest.grossRevenue, currency)}.`
    : summary;
}

export function buildRevenueChartOption({ points, currency, timeZone, colors, animate }: RevenueChartInput): RevenueChartOption {
  return {
    animation: animate,
    // Short update animations let bars grow in place when a push lands instead of redrawing from zero.
    animationDurationUpdate: 300,
    grid: { left: 8, right: 12, top: 12, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      backgroundColor: colors.tooltipBackground,
      borderColor: colors.grid,
      textStyle: { color: colors.tooltipText },
      formatter: (params) => {
        const first = Array.isArray(params) ? params[0] : params;
        const point = first ? points[first.dataIndex] : undefined;
        return point ? describeMinute(point, currency, timeZone) : '';
      },
    },
    xAxis: {
      type: 'category',
      data: points.map((p) => formatLocalTime(p.minute, timeZone)),
      axisLabel: { color: colors.text, hideOverlap: true },
      axisLine: { lineStyle: { color: colors.grid } },
      axisTick: { alignWithLabel: true, lineStyle: { color: colors.grid } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: colors.text, formatter: (value: number) => formatMoneyCompact(value, currency) },
      splitLine: { lineStyle: { color: colors.grid } },
    },
    series: [
      {
        id: 'revenue',
        name: 'Revenue',
        type: 'bar',
        data: points.map((p) => p.grossRevenue),
        itemStyle: { color: colors.bar, borderRadius: [2, 2, 0, 0] },
        barCategoryGap: '25%',
      },
    ],
  };
}
