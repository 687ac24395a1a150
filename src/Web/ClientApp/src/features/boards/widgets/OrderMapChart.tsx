import { useCallback } from 'react';
import { registerMap, use } from 'echarts/core';
import { MapChart } from 'echarts/charts';
import { TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { EChart, type CssVar } from '../../../lib/charts';
import type { CountryRow } from './historyFigures';
import { buildOrderMapOption, WORLD_MAP } from './orderMapOption';
import { worldCountries } from './worldMap';

use([MapChart, TooltipComponent, VisualMapComponent, CanvasRenderer]);
registerMap(WORLD_MAP, worldCountries() as unknown as Parameters<typeof registerMap>[1]);

function readColors(css: CssVar) {
  return {
    accent: css('--chart-bar', '#4493f8'),
    // Land without orders in the border grey, outlined in the card's own colour: readable in both themes.
    empty: css('--border', '#3d444d'),
    border: css('--surface', '#151b23'),
    text: css('--text-muted', '#9198a1'),
    tooltipBackground: css('--surface-raised', '#262c36'),
    tooltipText: css('--text', '#f0f6fc'),
  };
}

export interface OrderMapChartProps {
  id: string;
  rows: readonly CountryRow[];
  measure: 'revenue' | 'orders';
  currency: string | null;
}

/** The world map canvas; the table beside it carries the same figures for screen readers. */
export default function OrderMapChart({ id, rows, measure, currency }: OrderMapChartProps) {
  const build = useCallback(
    (css: CssVar, animate: boolean) => buildOrderMapOption({ rows, measure, currency, colors: readColors(css), animate }),
    [rows, measure, currency],
  );
  return (
    <EChart
      build={build}
      merge={{ replaceMerge: ['series'] }}
      className="board-chart order-map__chart"
      testId={`widget-${id}-map`}
      data={{ countries: rows.length }}
      ariaHidden
    />
  );
}
