export { EChart, type ChartColors, type CssVar, type EChartProps } from './EChart';
