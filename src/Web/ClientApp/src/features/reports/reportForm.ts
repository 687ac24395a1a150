// The report form's draft and how it becomes the API's input; the server checks the same rules (ReportsApi.ValidateAsync).
import type { Report, ReportFormat, ReportInput, ReportMetric, ReportPeriod, ReportSections, ReportSend } from './types';

export interface ReportDraft {
  name: string;
  storeIds: string[];
  period: ReportPeriod;
  sendTime: string;
  timeZone: string;
  recipients: string;
  sections: ReportSections;
  enabled: boolean;
  from: string;
  to: string;
  metrics: ReportMetric[];
  format: ReportFormat;
  rollUp: boolean;
}

export const sectionLabels: Record<keyof ReportSections, string> = {
  kpiSummary: 'KPI summary with comparison',
  trend: 'Trend',
  topProducts: 'Top products',
  channelBreakdown: 'Channel breakdown',
};

export const periodLabels: Record<ReportPeriod, string> = {
  daily: 'Daily (the day before)',
  weekly: 'Weekly, on Mondays (the week before)',
  monthly: 'Monthly, on the 1st (the month before)',
  custom: 'Custom range or a sale (sent when you run it)',
};

export const formatLabels: Record<ReportFormat, string> = { pdf: 'PDF', csv: 'CSV', xlsx: 'Excel (XLSX)' };

/** In the order every format prints them (ReportMetrics.All). */
export const metricLabels: Record<ReportMetric, string> = {
  grossRevenue: 'Gross revenue',
  netRevenue: 'Net revenue',
  orders: 'Orders',
  averageOrderValue: 'Average order value',
  unitsSold: 'Units sold',
  refunds: 'Refunds',
  newCustomers: 'Orders from new customers',
  returningCustomers: 'Orders from returning customers',
  conversionRate: 'Conversion rate',
  sessions: 'Sessions',
  cancelledOrders: 'Cancelled orders',
};

export const allMetrics = Object.keys(metricLabels) as ReportMetric[];

export function emptyDraft(storeIds: string[]): ReportDraft {
  return {
    name: '',
    storeIds,
    period: 'daily',
    sendTime: '07:00',
    timeZone: '',
    recipients: '',
    sections: { kpiSummary: true, trend: true, topProducts: true, channelBreakdown: true },
    enabled: true,
    from: '',
    to: '',
    metrics: [...allMetrics],
    format: 'pdf',
    rollUp: false,
  };
}

export function draftOf(report: Report): ReportDraft {
  return {
    name: report.name,
    storeIds: [...report.storeIds],
    period: report.period,
    sendTime: report.sendTime,
    timeZone: report.timeZone,
    recipients: report.recipients.join(', '),
    sections: { ...report.sections },
    enabled: report.enabled,
    from: report.from ?? '',
    to: report.to ?? '',
    metrics: report.metrics.length > 0 ? [...report.metrics] : [...allMetrics],
    format: report.format,
    rollUp: report.rollUp,
  };
}

/** Addresses separated by commas, semicolons or line breaks, each once. */
export function parseRecipients(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(/[,;\n]/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0 && !seen.has(r.toLowerCase()) && seen.add(r.toLowerCase()) !== undefined);
}

export function inputOf(draft: ReportDraft): ReportInput {
  return {
    name: draft.name.trim(),
    storeIds: draft.storeIds,
    period: draft.period,
    sendTime: draft.sendTime,
    timeZone: draft.timeZone.trim() || null,
    recipients: parseRecipients(draft.recipients),
    sections: draft.sections,
    enabled: draft.enabled,
    from: draft.period === 'custom' ? draft.from || null : null,
    to: draft.period === 'custom' ? draft.to || null : null,
    // Every metric picked is the same as none: the server prints all, and metrics added later come along.
    metrics: draft.metrics.length === allMetrics.length ? [] : allMetrics.filter((m) => draft.metrics.includes(m)),
    format: draft.format,
    rollUp: draft.rollUp,
  };
}

/** 48213 → "47.1 KB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** How a send's latest attempt came about: "attempt 2, taken over from node host:port" when its node stopped mid-send. */
export function attemptText(send: Pick<ReportSend, 'attempts' | 'takenOverFrom'>): string {
  return send.takenOverFrom ? `attempt ${send.attempts}, taken over from node ${send.takenOverFrom}` : String(send.attempts);
}
