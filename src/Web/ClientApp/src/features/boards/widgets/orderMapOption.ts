// The ECharts option of the order map: countries shaded by revenue or orders, hover for the figure. Pure.
import { formatCount, formatMoney } from '../../../lib/format';
import type { CountryRow } from './historyFigures';

export const WORLD_MAP = 'salesdash-world';

export interface MapColors {
  /** Countries with orders: this colour, faint for the least and full for the most. */
  accent: string;
  empty: string;
  border: string;
  text: string;
  tooltipBackground: string;
  tooltipText: string;
}

export function formatCountryValue(value: number, measure: 'revenue' | 'orders', currency: string | null): string {
  return measure === 'revenue' && currency ? formatMoney(value, currency) : formatCount(value);
}

export function buildOrderMapOption(input: {
  rows: readonly CountryRow[];
  measure: 'revenue' | 'orders';
  currency: string | null;
  colors: MapColors;
  animate: boolean;
}) {
  const { rows, measure, currency, colors, animate } = input;
  const known = rows.filter((r) => /^[A-Z]{2}$/.test(r.code));
  const max = Math.max(1, ...known.map((r) => r.value));
  const byCode = new Map(known.map((r) => [r.code, r]));
  return {
    animation: animate,
    tooltip: {
      trigger: 'item',
      backgroundColor: colors.tooltipBackground,
      textStyle: { color: colors.tooltipText },
      formatter: (p: { name: string }) => {
        const row = byCode.get(p.name);
        return row ? `${row.name}: ${formatCountryValue(row.value, measure, currency)}` : '';
      },
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      show: false,
      // Never fainter than 35 %, so a country with one small order still stands out from those with none.
      inRange: { color: [colors.accent], colorAlpha: [0.35, 1] },
    },
    series: [
      {
        type: 'map',
        map: WORLD_MAP,
        roam: false,
        nameProperty: 'name',
        emphasis: { label: { show: false } },
        select: { disabled: true },
        itemStyle: { areaColor: colors.empty, borderColor: colors.border, borderWidth: 0.5 },
        data: known.map((r) => ({ name: r.code, value: r.value })),
      },
    ],
  };
}
