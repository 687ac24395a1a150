// Download links of /api/tenants/{tenantId}/exports/... (src/Web/Exports/ExportsApi.cs): the same query as the API a
// view reads, plus format=csv|xlsx. The server answers with Content-Disposition: attachment, so a plain link downloads.
import type { StoreKey } from '../../lib/types';

export type ExportFormat = 'csv' | 'xlsx';

export const exportFormats: readonly ExportFormat[] = ['csv', 'xlsx'];

function exportsBase(tenantId: string): string {
  return `/api/tenants/${encodeURIComponent(tenantId)}/exports`;
}

/** Appends format to a query string ("a=1&b=2" or ""). */
export function withFormat(query: string, format: ExportFormat): string {
  const params = new URLSearchParams(query);
  params.set('format', format);
  return params.toString();
}

export function widgetExportUrl(tenantId: string, boardId: string, widgetId: string, format: ExportFormat): string {
  return `${exportsBase(tenantId)}/dashboards/${encodeURIComponent(boardId)}/widgets/${encodeURIComponent(widgetId)}?format=${format}`;
}

/** summary, trend or breakdown of one store; breakdown of the whole organisation with scope 'tenant'. */
export function historyExportUrl(
  store: StoreKey,
  what: 'summary' | 'trend' | 'breakdown',
  query: string,
  format: ExportFormat,
  scope: 'store' | 'tenant' = 'store',
): string {
  const base =
    scope === 'tenant' ? exportsBase(store.tenantId) : `${exportsBase(store.tenantId)}/stores/${encodeURIComponent(store.storeId)}`;
  return `${base}/${what}?${withFormat(query, format)}`;
}

export function reportExportUrl(tenantId: string, reportId: string, format: ExportFormat): string {
  return `${exportsBase(tenantId)}/reports/${encodeURIComponent(reportId)}?format=${format}`;
}
