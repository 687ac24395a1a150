// Shapes of /api/tenants/{tenantId}/reports (camelCase), mirroring src/Web/Reports/ReportsApi.cs and ReportModels.cs.

export type ReportPeriod = 'daily' | 'weekly' | 'monthly';

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
  sendTime: string;
  timeZone: string | null;
  recipients: string[];
  sections: ReportSections;
  enabled: boolean;
}

export interface Report extends ReportInput {
  id: string;
  timeZone: string;
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
}
