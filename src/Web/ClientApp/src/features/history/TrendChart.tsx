import { useCallback, useRef } from 'react';
import { use, type EChartsType } from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { EChart, type CssVar } from '../../lib/charts';
import type { TrendMetric } from './kpis';
import { buildTrendChartOption, describeTrend, type TrendColors } from './trendChartOption';
import type { HistoryTrend } from './types';

// Only what this chart draws, which keeps the bundle far smaller than importing all of ECharts.
use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function readColors(css: CssVar): TrendColors {
  return {
    current: css('--chart-bar', '#4493f8'),
    comparison: css('--text-muted', '#9198a1'),
    text: css('--text-muted', '#9198a1'),
    grid: css('--border', '#3d444d'),
    tooltipBackground: css('--surface-raised', '#262c36'),
    tooltipText: css('--text', '#f0f6fc'),
  };
}

export interface TrendChartProps {
  trend: HistoryTrend;
  metric: TrendMetric;
  /** A bucket was clicked: narrow the period to it. */
  onPick: (index: number) => void;
}

/** The period's trend with the comparison overlaid; a click anywhere over a bucket picks it. */
export default function TrendChart({ trend, metric, onPick }: TrendChartProps) {
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const build = useCallback(
    (css: CssVar, animate: boolean) => buildTrendChartOption({ trend, metric, colors: readColors(css), animate }),
    [trend, metric],
  );
  // Lines are thin targets: any click inside the plot picks the bucket under it.
  const onInit = useCallback((chart: EChartsType) => {
    chart.getZr().on('click', (event) => {
      const point = [event.offsetX, event.offsetY];
      if (!chart.containPixel('grid', point)) return;
      const [index] = chart.convertFromPixel({ seriesIndex: 0 }, point) as number[];
      if (index !== undefined && Number.isFinite(index)) pickRef.current(Math.round(index));
    });
  }, []);

  return (
    <EChart
      build={build}
      merge={{ notMerge: true }}
      onInit={onInit}
      className="history-trend__chart"
      testId="history-trend"
      role="img"
      ariaLabel={describeTrend(trend, metric)}
    />
  );
}
