import { useEffect, useRef, useState } from 'react';
import { init, use, type EChartsType } from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useScheme } from '../../app/theme';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import type { TrendMetric } from './kpis';
import { buildTrendChartOption, describeTrend, type TrendColors } from './trendChartOption';
import type { HistoryTrend } from './types';

// Only what this chart draws, which keeps the bundle far smaller than importing all of ECharts.
use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function readColors(element: HTMLElement): TrendColors {
  const style = getComputedStyle(element);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    current: get('--chart-bar', '#4493f8'),
    comparison: get('--text-muted', '#9198a1'),
    text: get('--text-muted', '#9198a1'),
    grid: get('--border', '#3d444d'),
    tooltipBackground: get('--surface-raised', '#262c36'),
    tooltipText: get('--text', '#f0f6fc'),
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
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsType | null>(null);
  const reducedMotion = usePrefersReducedMotion();
  const scheme = useScheme();
  const pickRef = useRef(onPick);
  pickRef.current = onPick;

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    // Lines are thin targets: any click inside the plot picks the bucket under it.
    instance.getZr().on('click', (event) => {
      const point = [event.offsetX, event.offsetY];
      if (!instance.containPixel('grid', point)) return;
      const [index] = instance.convertFromPixel({ seriesIndex: 0 }, point) as number[];
      if (index !== undefined && Number.isFinite(index)) pickRef.current(Math.round(index));
    });
    setChart(instance);
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      setChart(null);
    };
  }, []);

  useEffect(() => {
    const element = containerRef.current;
    if (!chart || !element) return;
    chart.setOption(buildTrendChartOption({ trend, metric, colors: readColors(element), animate: !reducedMotion }), { notMerge: true });
  }, [chart, trend, metric, reducedMotion, scheme]);

  return <div ref={containerRef} className="history-trend__chart" data-testid="history-trend" role="img" aria-label={describeTrend(trend, metric)} />;
}
