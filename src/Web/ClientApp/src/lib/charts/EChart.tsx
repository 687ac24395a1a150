// The one ECharts wrapper: creates the chart once, resizes it with its box, disposes it on unmount, and re-applies
// the option when the data, the theme or the reduced-motion setting change. Each chart file registers only the
// ECharts parts it draws (echarts/core `use`), which keeps the bundle small.
import { useEffect, useRef, useState, type AriaRole } from 'react';
import { init, type EChartsCoreOption, type EChartsType, type SetOptionOpts } from 'echarts/core';
import { useScheme } from '../../app/theme';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';

/** The colours a bar or line chart reads from the theme. */
export interface ChartColors {
  bar: string;
  text: string;
  grid: string;
  tooltipBackground: string;
  tooltipText: string;
}

/** Reads a CSS custom property on the chart's box (themes set them), with the fallback when it is unset. */
export type CssVar = (name: string, fallback: string) => string;

export interface EChartProps {
  /**
   * The option for the current data; memoise it (useCallback) on that data, since a new function re-applies it.
   * Colours come from `css`, so the chart follows the light and dark themes.
   */
  build: (css: CssVar, animate: boolean) => EChartsCoreOption;
  /** How setOption merges: e.g. { notMerge: true } or { replaceMerge: ['series'] }. */
  merge?: SetOptionOpts;
  /** Once, after the chart exists: wire click handlers here (read changing values through refs). */
  onInit?: (chart: EChartsType) => void;
  className?: string;
  testId?: string;
  role?: AriaRole;
  ariaLabel?: string;
  ariaHidden?: boolean;
  /** data-* attributes tests and CSS read (e.g. { points: 60 } becomes data-points="60"). */
  data?: Record<string, string | number>;
}

export function EChart({ build, merge, onInit, className, testId, role, ariaLabel, ariaHidden, data }: EChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<EChartsType | null>(null);
  const reducedMotion = usePrefersReducedMotion();
  // Colours come from CSS variables; re-reading them when the theme changes keeps the chart in step.
  const scheme = useScheme();
  const initRef = useRef(onInit);
  initRef.current = onInit;
  const mergeRef = useRef(merge);
  mergeRef.current = merge;

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    initRef.current?.(instance);
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
    const style = getComputedStyle(element);
    const css: CssVar = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    chart.setOption(build(css, !reducedMotion), mergeRef.current);
  }, [chart, build, reducedMotion, scheme]);

  const dataAttributes = Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [`data-${key}`, String(value)]));
  return (
    <div
      ref={containerRef}
      className={className}
      data-testid={testId}
      role={role}
      aria-label={ariaLabel}
      aria-hidden={ariaHidden}
      {...dataAttributes}
    />
  );
}
