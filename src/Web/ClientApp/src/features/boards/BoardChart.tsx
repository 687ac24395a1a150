import { useCallback, useRef } from 'react';
import { use, type EChartsType } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { EChart, type CssVar } from '../../lib/charts';
import { buildBoardChartOption, describeChart } from './boardChartOption';
import type { ChartData } from './figures';
import type { ChartType, Metric } from './types';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function readColors(css: CssVar) {
  return {
    bar: css('--chart-bar', '#4493f8'),
    text: css('--text-muted', '#9198a1'),
    grid: css('--border', '#3d444d'),
    tooltipBackground: css('--surface-raised', '#262c36'),
    tooltipText: css('--text', '#f0f6fc'),
    series: [css('--chart-bar', '#4493f8'), css('--good', '#3fb950'), css('--warning', '#d29922')],
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
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const minutesRef = useRef(data.minutes);
  minutesRef.current = data.minutes;
  const build = useCallback(
    (css: CssVar, animate: boolean) => buildBoardChartOption({ data, metric, chartType, timeZone, colors: readColors(css), animate }),
    [data, metric, chartType, timeZone],
  );
  const onInit = useCallback((chart: EChartsType) => {
    chart.on('click', (params) => {
      const minute = minutesRef.current[params.dataIndex];
      if (minute) pickRef.current(minute);
    });
    // A click anywhere in the plot picks the nearest minute, so thin lines and empty minutes are easy to hit.
    chart.getZr().on('click', (event) => {
      if (event.target) return;
      const point = [event.offsetX, event.offsetY];
      if (!chart.containPixel('grid', point)) return;
      const [index] = chart.convertFromPixel({ seriesIndex: 0 }, point) as number[];
      const minute = index === undefined ? undefined : minutesRef.current[Math.round(index)];
      if (minute) pickRef.current(minute);
    });
  }, []);

  return (
    <EChart
      build={build}
      merge={{ replaceMerge: ['series'] }}
      onInit={onInit}
      className="board-chart"
      testId={`widget-${id}-chart`}
      data={{ points: data.minutes.length }}
      role="img"
      ariaLabel={describeChart(data, metric, timeZone)}
    />
  );
}
