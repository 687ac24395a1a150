// Calls to /api/tenants/{tenantId}/reports (src/Web/Reports/ReportsApi.cs).
import { send } from '../../lib/http';
import type { Report, ReportFormat, ReportInput, ReportSend, ReportShareCreated } from './types';

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/reports`;

export const reportsApi = {
  list: (tenantId: string, signal?: AbortSignal) => send<Report[]>('GET', base(tenantId), undefined, signal),
  create: (tenantId: string, input: ReportInput) => send<Report>('POST', base(tenantId), input),
  update: (tenantId: string, id: string, input: ReportInput) => send<Report>('PUT', `${base(tenantId)}/${encodeURIComponent(id)}`, input),
  remove: (tenantId: string, id: string) => send<void>('DELETE', `${base(tenantId)}/${encodeURIComponent(id)}`),
  run: (tenantId: string, id: string) => send<ReportSend>('POST', `${base(tenantId)}/${encodeURIComponent(id)}/run`),
  sends: (tenantId: string, id: string, signal?: AbortSignal) =>
    send<ReportSend[]>('GET', `${base(tenantId)}/${encodeURIComponent(id)}/sends`, undefined, signal),
  pdfUrl: (tenantId: string, id: string, sendId: string) =>
    `${base(tenantId)}/${encodeURIComponent(id)}/sends/${encodeURIComponent(sendId)}/pdf`,
  previewUrl: (tenantId: string, id: string) => `${base(tenantId)}/${encodeURIComponent(id)}/preview`,
  fileUrl: (tenantId: string, id: string, sendId: string) =>
    `${base(tenantId)}/${encodeURIComponent(id)}/sends/${encodeURIComponent(sendId)}/file`,
  downloadUrl: (tenantId: string, id: string, format: ReportFormat) =>
    `/api/tenants/${encodeURIComponent(tenantId)}/exports/reports/${encodeURIComponent(id)}?format=${format}`,
  share: (tenantId: string, id: string) => send<ReportShareCreated>('POST', `${base(tenantId)}/${encodeURIComponent(id)}/share`),
  revokeShare: (tenantId: string, id: string) => send<void>('DELETE', `${base(tenantId)}/${encodeURIComponent(id)}/share`),
};
