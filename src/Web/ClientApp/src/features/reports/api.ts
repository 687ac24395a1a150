// Calls to /api/tenants/{tenantId}/reports (src/Web/Reports/ReportsApi.cs).
import { ApiError } from '../../lib/api';
import { ValidationError } from '../boards/api';
import type { Report, ReportInput, ReportSend } from './types';

async function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  let problem: { title?: string; detail?: string; errors?: Record<string, string[]> } = {};
  try {
    problem = (await response.json()) as typeof problem;
  } catch {
    // Not problem+json: the status says enough.
  }
  if (response.status === 400 && problem.errors) throw new ValidationError(problem.errors);
  throw new ApiError(response.status, problem.detail ?? problem.title ?? `${method} ${url} answered ${response.status}`);
}

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
};
