import { useEffect, useRef, useState } from 'react';
import { init, registerMap, use, type EChartsType } from 'echarts/core';
import { MapChart } from 'echarts/charts';
import { TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useScheme } from '../../../app/theme';
import { usePrefersReducedMotion } from '../../../app/usePrefersReducedMotion';
import type { CountryRow } from './historyFigures';
import { buildOrderMapOption, WORLD_MAP } from './orderMapOption';
import { worldCountries } from './worldMap';

use([MapChart, TooltipComponent, VisualMapComponent, CanvasRenderer]);
registerMap(WORLD_MAP, worldCountries() as unknown as Parameters<typeof registerMap>[1]);

function readColors(element: HTMLElement) {
  const style = getComputedStyle(element);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    accent: get('--chart-bar', '#4493f8'),
    // Land without orders in the border grey, outlined in the card's own colour: readable in both themes.
    empty: get('--border', '#3d444d'),
    border: get('--surface', '#151b23'),
    text: get('--text-muted', '#9198a1'),
    tooltipBackground: get('--surface-raised', '#262c36'),
    tooltipText: get('--text', '#f0f6fc'),
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
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsType | null>(null);
  const reducedMotion = usePrefersReducedMotion();
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
    chart.setOption(buildOrderMapOption({ rows, measure, currency, colors: readColors(element), animate: !reducedMotion }), {
      replaceMerge: ['series'],
    });
  }, [chart, rows, measure, currency, reducedMotion, scheme]);

  return <div ref={containerRef} className="board-chart order-map__chart" data-testid={`widget-${id}-map`} data-countries={rows.length} aria-hidden="true" />;
}
