import { useEffect, useRef, useState } from 'react';
import { init, use, type EChartsType } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useScheme } from '../../app/theme';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import { buildBoardChartOption, describeChart } from './boardChartOption';
import type { ChartData } from './figures';
import type { ChartType, Metric } from './types';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function readColors(element: HTMLElement) {
  const style = getComputedStyle(element);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    bar: get('--chart-bar', '#4493f8'),
    text: get('--text-muted', '#9198a1'),
    grid: get('--border', '#3d444d'),
    tooltipBackground: get('--surface-raised', '#262c36'),
    tooltipText: get('--text', '#f0f6fc'),
    series: [get('--chart-bar', '#4493f8'), get('--good', '#3fb950'), get('--warning', '#d29922')],
  };
}

export interface BoardChartProps {
  id: string;
  data: ChartData;
  metric: Metric;
  chartType: ChartType;
  timeZone: string;
  /** A bar or point was clicked: drill into that minute. */
  onPick: (minute: string) => void;
}

/** A chart widget's canvas; hover shows each minute's figures, click drills into it. */
export default function BoardChart({ id, data, metric, chartType, timeZone, onPick }: BoardChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsType | null>(null);
  const reducedMotion = usePrefersReducedMotion();
  const scheme = useScheme();
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const minutesRef = useRef(data.minutes);
  minutesRef.current = data.minutes;

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    instance.on('click', (params) => {
      const minute = minutesRef.current[params.dataIndex];
      if (minute) pickRef.current(minute);
    });
    // A click anywhere in the plot picks the nearest minute, so thin lines and empty minutes are easy to hit.
    instance.getZr().on('click', (event) => {
      if (event.target) return;
      const point = [event.offsetX, event.offsetY];
      if (!instance.containPixel('grid', point)) return;
      const [index] = instance.convertFromPixel({ seriesIndex: 0 }, point) as number[];
      const minute = index === undefined ? undefined : minutesRef.current[Math.round(index)];
      if (minute) pickRef.current(minute);
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
    chart.setOption(
      buildBoardChartOption({ data, metric, chartType, timeZone, colors: readColors(element), animate: !reducedMotion }),
      { replaceMerge: ['series'] },
    );
  }, [chart, data, metric, chartType, timeZone, reducedMotion, scheme]);

  return (
    <div
      ref={containerRef}
      className="board-chart"
      data-testid={`widget-${id}-chart`}
      data-points={data.minutes.length}
      role="img"
      aria-label={describeChart(data, metric, timeZone)}
    />
  );
}
