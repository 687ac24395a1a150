// Shapes of /api/tenants/{tenantId}/reports (camelCase), mirroring src/Web/Reports/ReportsApi.cs and ReportModels.cs.

export type ReportPeriod = 'daily' | 'weekly' | 'monthly' | 'custom';

export type ReportFormat = 'pdf' | 'csv' | 'xlsx';

/** Keys of ReportMetrics.All (src/Web/Reports/ReportMetrics.cs). */
export type ReportMetric =
  | 'grossRevenue'
  | 'netRevenue'
  | 'orders'
  | 'averageOrderValue'
  | 'unitsSold'
  | 'refunds'
  | 'newCustomers'
  | 'returningCustomers'
  | 'conversionRate'
  | 'sessions'
  | 'cancelledOrders';

export interface ReportSections {
  kpiSummary: boolean;
  trend: boolean;
  topProducts: boolean;
  channelBreakdown: boolean;
}

export interface ReportInput {
  name: string;
  storeIds: string[];
  period: ReportPeriod;
  sendTime: string | null;
  timeZone: string | null;
  recipients: string[];
  sections: ReportSections;
  enabled: boolean;
  /** First and last day (yyyy-MM-dd) of a custom range. */
  from: string | null;
  to: string | null;
  /** Empty: every metric. */
  metrics: ReportMetric[];
  format: ReportFormat;
  /** Adds an "all stores" part in the organisation's reporting currency. */
  rollUp: boolean;
}

export interface ReportShareView {
  id: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface ReportShareCreated {
  id: string;
  token: string;
  url: string;
  createdAt: string;
}

export interface Report extends ReportInput {
  id: string;
  sendTime: string;
  timeZone: string;
  share: ReportShareView | null;
  createdAt: string;
  updatedAt: string;
  nextSendAt: string | null;
}

export type ReportSendStatus = 'Running' | 'Sent' | 'Failed';

export interface ReportSend {
  id: string;
  reportId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  periodFrom: string;
  periodTo: string;
  recipients: string[];
  status: ReportSendStatus;
  error: string | null;
  attempts: number;
  pdfBytes: number | null;
  nextAttemptAt: string | null;
  format: ReportFormat;
  /** The node that made the latest attempt (host:port). */
  node?: string | null;
  /** The node whose attempt this one took over when that node stopped mid-send. */
  takenOverFrom?: string | null;
  /** The mail server's reply when it accepted the mail. */
  smtpReply?: string | null;
}
