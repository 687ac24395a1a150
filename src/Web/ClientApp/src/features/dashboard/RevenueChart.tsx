import { useCallback } from 'react';
import { use } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { EChart, type CssVar } from '../../lib/charts';
import type { MinutePoint } from '../../lib/types';
import { buildRevenueChartOption, describeRevenue, type ChartColors } from './revenueChartOption';

// Only what this chart draws, which keeps the bundle far smaller than importing all of ECharts.
use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

function readColors(css: CssVar): ChartColors {
  return {
    bar: css('--chart-bar', '#4493f8'),
    text: css('--text-muted', '#9198a1'),
    grid: css('--border', '#3d444d'),
    tooltipBackground: css('--surface-raised', '#262c36'),
    tooltipText: css('--text', '#f0f6fc'),
  };
}

export interface RevenueChartProps {
  points: readonly MinutePoint[];
  currency: string;
  timeZone: string;
}

/** Revenue per minute for the last hour, updated in place: the chart is created once and only its data changes. */
export function RevenueChart({ points, currency, timeZone }: RevenueChartProps) {
  const build = useCallback(
    (css: CssVar, animate: boolean) => buildRevenueChartOption({ points, currency, timeZone, colors: readColors(css), animate }),
    [points, currency, timeZone],
  );
  return (
    <EChart build={build} className="revenue-chart" testId="revenue-chart" role="img" ariaLabel={describeRevenue(points, currency, timeZone)} />
  );
}
