import { useEffect, useRef, useState } from 'react';
import { init, use, type EChartsType } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useScheme } from '../../app/theme';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import type { MinutePoint } from '../../lib/types';
import { buildRevenueChartOption, describeRevenue, type ChartColors } from './revenueChartOption';

// Only what this chart draws, which keeps the bundle far smaller than importing all of ECharts.
use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

function readColors(element: HTMLElement): ChartColors {
  const style = getComputedStyle(element);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    bar: get('--chart-bar', '#4493f8'),
    text: get('--text-muted', '#9198a1'),
    grid: get('--border', '#3d444d'),
    tooltipBackground: get('--surface-raised', '#262c36'),
    tooltipText: get('--text', '#f0f6fc'),
  };
}

export interface RevenueChartProps {
  points: readonly MinutePoint[];
  currency: string;
  timeZone: string;
}

/** Revenue per minute for the last hour, updated in place: the chart is created once and only its data changes. */
export function RevenueChart({ points, currency, timeZone }: RevenueChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsType | null>(null);
  const reducedMotion = usePrefersReducedMotion();
  // Colours come from CSS variables; re-reading them when the theme changes keeps the chart in step.
  const scheme = useScheme();

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
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
    chart.setOption(
      buildRevenueChartOption({ points, currency, timeZone, colors: readColors(element), animate: !reducedMotion }),
    );
  }, [chart, points, currency, timeZone, reducedMotion, scheme]);

  return (
    <div
      ref={containerRef}
      className="revenue-chart"
      data-testid="revenue-chart"
      role="img"
      aria-label={describeRevenue(points, currency, timeZone)}
    />
  );
}
