// The ECharts option for a chart widget; pure, so its series, tooltip and colours are unit tested.
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { formatLocalTime } from '../../lib/format';
import type { ChartColors } from '../../lib/charts';
import type { ChartData } from './figures';
import { formatAxis, formatFigure } from './format';
import type { ChartType, Metric } from './types';

export type BoardChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption
>;

export interface BoardChartInput {
  data: ChartData;
  metric: Metric;
  chartType: ChartType;
  timeZone: string;
  colors: ChartColors & { series: readonly string[] };
  animate: boolean;
}

/** One tooltip: "14:05 · £120.00 · US$80.00". */
export function describeChartMinute(data: ChartData, index: number, metric: Metric, timeZone: string): string {
  const minute = data.minutes[index];
  if (minute === undefined) return '';
  const values = data.series.map((s) => formatFigure(s.values[index] ?? 0, metric, s.currency));
  return [formatLocalTime(minute, timeZone), ...values].join(' · ');
}

/** The chart's summary for screen readers: totals per series and the busiest minute. */
export function describeChart(data: ChartData, metric: Metric, timeZone: string): string {
  if (data.minutes.length === 0) return 'No figures yet.';
  const parts = data.series.map((s) => {
    const total = s.values.reduce((sum, v) => sum + v, 0);
    const best = s.values.reduce((bestIndex, v, i) => (v > (s.values[bestIndex] ?? 0) ? i : bestIndex), 0);
    const busiest = (s.values[best] ?? 0) > 0 ? `, busiest ${formatLocalTime(data.minutes[best]!, timeZone)}` : '';
    return `${formatFigure(Math.round(total * 100) / 100, metric, s.currency)} in ${data.minutes.length} minutes${busiest}`;
  });
  return parts.join('; ') + '.';
}

export function buildBoardChartOption({ data, metric, chartType, timeZone, colors, animate }: BoardChartInput): BoardChartOption {
  const first = data.series[0];
  return {
    animation: animate,
    animationDurationUpdate: 300,
    grid: { left: 8, right: 12, top: data.series.length > 1 ? 28 : 12, bottom: 28, containLabel: true },
    legend: data.series.length > 1 ? { top: 0, textStyle: { color: colors.text } } : { show: false },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: chartType === 'bar' ? 'shadow' : 'line' },
      backgroundColor: colors.tooltipBackground,
      borderColor: colors.grid,
      textStyle: { color: colors.tooltipText },
      formatter: (params) => {
        const point = Array.isArray(params) ? params[0] : params;
        return point ? describeChartMinute(data, point.dataIndex, metric, timeZone) : '';
      },
    },
    xAxis: {
      type: 'category',
      data: data.minutes.map((m) => formatLocalTime(m, timeZone)),
      boundaryGap: chartType === 'bar',
      axisLabel: { color: colors.text, hideOverlap: true },
      axisLine: { lineStyle: { color: colors.grid } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: colors.text, formatter: (value: number) => formatAxis(value, metric, first?.currency ?? null) },
      splitLine: { lineStyle: { color: colors.grid } },
    },
    series: data.series.map((s, i): BarSeriesOption | LineSeriesOption => {
      const color = colors.series[i % colors.series.length] ?? colors.bar;
      return chartType === 'bar'
        ? { id: s.key, name: s.key, type: 'bar', data: s.values, itemStyle: { color, borderRadius: [2, 2, 0, 0] } }
        : {
            id: s.key,
            name: s.key,
            type: 'line',
            data: s.values,
            showSymbol: false,
            // Points stay clickable for drill-down even where no symbol is drawn.
            triggerLineEvent: true,
            lineStyle: { color, width: 2 },
            itemStyle: { color },
            ...(chartType === 'area' ? { areaStyle: { color, opacity: 0.25 } } : {}),
          };
    }),
  };
}
