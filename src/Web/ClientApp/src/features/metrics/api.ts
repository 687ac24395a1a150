// Custom metrics (src/Web/Metrics/MetricsApi.cs).
import { send, tenantApi } from '../../lib/http';

export type MetricFormat = 'Number' | 'Currency' | 'Percent';

export interface CustomMetric {
  id: string;
  tenantId: string;
  name: string;
  formula: string;
  format: MetricFormat;
  createdAt: string;
  updatedAt: string;
}

export interface FormulaError {
  position: number;
  length: number;
  message: string;
}

export interface FormulaCheck {
  valid: boolean;
  normalised: string | null;
  figures: string[];
  errors: FormulaError[];
}

export interface FormulaLanguage {
  figures: { name: string; description: string; unit: string }[];
  functions: { name: string; minArguments: number; maxArguments: number | null; description: string }[];
  maxLength: number;
  maxDepth: number;
}

export interface MetricPoint {
  start: string;
  startUtc: string;
  value: number | null;
}

export interface MetricValues {
  metricId: string;
  name: string;
  format: 'number' | 'currency' | 'percent';
  storeId: string | null;
  currency: string;
  value: number | null;
  previous: number | null;
  points: MetricPoint[];
}

export const metricsApi = {
  list: (tenantId: string, signal?: AbortSignal) => send<CustomMetric[]>('GET', tenantApi(tenantId, 'metrics'), undefined, signal),
  language: (tenantId: string, signal?: AbortSignal) => send<FormulaLanguage>('GET', tenantApi(tenantId, 'metrics/language'), undefined, signal),
  check: (tenantId: string, formula: string, signal?: AbortSignal) =>
    send<FormulaCheck>('GET', tenantApi(tenantId, `metrics/check?formula=${encodeURIComponent(formula)}`), undefined, signal),
  create: (tenantId: string, input: { name: string; formula: string; format: string }) => send<CustomMetric>('POST', tenantApi(tenantId, 'metrics'), input),
  save: (tenantId: string, id: string, input: { name: string; formula: string; format: string }) =>
    send<CustomMetric>('PUT', tenantApi(tenantId, `metrics/${encodeURIComponent(id)}`), input),
  remove: (tenantId: string, id: string) => send<void>('DELETE', tenantApi(tenantId, `metrics/${encodeURIComponent(id)}`)),
};

/** A metric's value as a person reads it: money in the store's currency, a percent, or a plain number; "—" for no value. */
export function formatMetric(value: number | null, format: MetricValues['format'], currency: string): string {
  if (value === null) return '—';
  if (format === 'currency') return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  if (format === 'percent') return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 2 }).format(value);
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value);
}

/** The formula with a caret line under each mistake, for showing under the input. */
export function caretLine(formula: string, error: FormulaError): string {
  return `${' '.repeat(Math.min(error.position, formula.length))}${'^'.repeat(Math.max(1, error.length))}`;
}
