// Shapes of /api/tenants/{tenantId}/benchmarks[/settings] (src/Web/Benchmarks/BenchmarksApi.cs) and how their figures print.
import { getJson, send, tenantApi } from '../../lib/http';
import { cohortText, formatPeerValue, peerStanding, type PeerCohort, type PeerFigureKind } from '../../lib/peers';

export interface BenchmarkSettings {
  tenantId: string;
  industry: string | null;
  takesPart: boolean;
  chosen: boolean;
  onTrial: boolean;
  notice: string | null;
  industries: string[];
}

export type CohortView = PeerCohort;

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
export const metricInfo: Record<string, { label: string; kind: PeerFigureKind; higherIsBetter: boolean }> = {
  ConversionRate: { label: 'Conversion rate', kind: 'rate', higherIsBetter: true },
  AverageOrderValue: { label: 'Average order value (USD)', kind: 'money', higherIsBetter: true },
  RepeatRate: { label: 'Repeat-customer rate', kind: 'rate', higherIsBetter: true },
  RefundRate: { label: 'Refund rate', kind: 'rate', higherIsBetter: false },
  RevenueGrowthWoW: { label: 'Revenue growth, week over week', kind: 'growth', higherIsBetter: true },
  RevenueGrowthMoM: { label: 'Revenue growth, 28 days over 28', kind: 'growth', higherIsBetter: true },
  Roas: { label: 'ROAS', kind: 'ratio', higherIsBetter: true },
};

export function formatMetric(metric: string, value: number | null): string {
  return formatPeerValue(metricInfo[metric]?.kind, value);
}

/** Where the organisation's figure sits among its peers' quartiles, said as a person would. */
export function position(row: BenchmarkMetricView): string {
  if (row.you === null || row.p25 === null || row.p50 === null || row.p75 === null) return '';
  return peerStanding(row.you, row.p25, row.p50, row.p75, metricInfo[row.metric]?.higherIsBetter ?? true);
}

/** Who the figures are compared with, and how many organisations they come from. */
export function cohortLabel(cohort: CohortView | null, minimum: number): string {
  return cohort ? cohortText(cohort) : `Not enough peers yet (fewer than ${minimum} organisations)`;
}
