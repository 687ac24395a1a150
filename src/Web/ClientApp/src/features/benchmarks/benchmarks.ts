// Shapes of /api/tenants/{tenantId}/benchmarks[/settings] (src/Web/Benchmarks/BenchmarksApi.cs) and how their figures print.
import { getJson, send, tenantApi } from '../../lib/http';

export interface BenchmarkSettings {
  tenantId: string;
  industry: string | null;
  takesPart: boolean;
  chosen: boolean;
  onTrial: boolean;
  notice: string | null;
  industries: string[];
}

export interface CohortView {
  level: 'IndustryAndBand' | 'Industry' | 'All';
  industry: string;
  band: string;
  contributors: number;
}

export interface BenchmarkMetricView {
  metric: string;
  you: number | null;
  cohort: CohortView | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
}

export interface BenchmarksResponse {
  tenantId: string;
  industry: string | null;
  band: string | null;
  takesPart: boolean;
  notice: string | null;
  computedAt: string | null;
  minimumPeers: number;
  metrics: BenchmarkMetricView[];
}

export const fetchBenchmarks = (tenantId: string, signal?: AbortSignal) => getJson<BenchmarksResponse>(tenantApi(tenantId, 'benchmarks'), signal);

export const fetchBenchmarkSettings = (tenantId: string, signal?: AbortSignal) =>
  getJson<BenchmarkSettings>(tenantApi(tenantId, 'benchmarks/settings'), signal);

export const saveBenchmarkSettings = (tenantId: string, change: { industry?: string; takesPart?: boolean }) =>
  send<BenchmarkSettings>('PUT', tenantApi(tenantId, 'benchmarks/settings'), change);

/** Labels, and whether a higher figure is the better one (a refund rate is better low). */
export const metricInfo: Record<string, { label: string; kind: 'rate' | 'money' | 'growth' | 'ratio'; higherIsBetter: boolean }> = {
  ConversionRate: { label: 'Conversion rate', kind: 'rate', higherIsBetter: true },
  AverageOrderValue: { label: 'Average order value (USD)', kind: 'money', higherIsBetter: true },
  RepeatRate: { label: 'Repeat-customer rate', kind: 'rate', higherIsBetter: true },
  RefundRate: { label: 'Refund rate', kind: 'rate', higherIsBetter: false },
  RevenueGrowthWoW: { label: 'Revenue growth, week over week', kind: 'growth', higherIsBetter: true },
  RevenueGrowthMoM: { label: 'Revenue growth, 28 days over 28', kind: 'growth', higherIsBetter: true },
  Roas: { label: 'ROAS', kind: 'ratio', higherIsBetter: true },
};

export function formatMetric(metric: string, value: number | null): string {
  if (value === null) return '—';
  switch (metricInfo[metric]?.kind) {
    case 'rate':
      return `${(value * 100).toFixed(1)}%`;
    case 'growth':
      return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
    case 'money':
      return `$${value.toFixed(2)}`;
    default:
      return `${value.toFixed(2)}×`;
  }
}

/** Where the organisation's figure sits among its peers' quartiles, said as a person would. */
export function position(row: BenchmarkMetricView): string {
  if (row.you === null || row.p25 === null || row.p50 === null || row.p75 === null) return '';
  const better = metricInfo[row.metric]?.higherIsBetter ?? true;
  const top = better ? row.you >= row.p75 : row.you <= row.p25;
  const bottom = better ? row.you < row.p25 : row.you > row.p75;
  if (top) return 'top quarter';
  if (bottom) return 'bottom quarter';
  const aboveMedian = better ? row.you >= row.p50 : row.you <= row.p50;
  return aboveMedian ? 'better than the median' : 'below the median';
}

/** Who the figures are compared with, and how many organisations they come from. */
export function cohortLabel(cohort: CohortView | null, minimum: number): string {
  if (!cohort) return `Not enough peers yet (fewer than ${minimum} organisations)`;
  const who =
    cohort.level === 'IndustryAndBand'
      ? `${cohort.industry} shops of your size (${cohort.band})`
      : cohort.level === 'Industry'
        ? `${cohort.industry} shops of every size`
        : 'shops of every industry';
  return `${cohort.contributors} ${who}`;
}
