// The public benchmark report (src/Web/Benchmarks/BenchmarkReportApi.cs): no account, an orders export in, figures out.
import { getJson, problemFrom, request } from '../../lib/http';
import type { CohortView } from './benchmarks';

export const BENCHMARK_REPORT_PATH = '/benchmark-report';

const api = '/api/public/benchmark-report';

export interface BenchmarkReportForm {
  industries: string[];
  maxUploadBytes: number;
  minimumPeers: number;
}

export interface ReportMetricView {
  metric: string;
  label: string;
  you: number | null;
  note: string | null;
  cohort: CohortView | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
}

export interface BenchmarkReport {
  industry: string;
  band: string;
  layout: string;
  orders: number;
  rowsRejected: number;
  firstOrderDay: string;
  from: string;
  to: string;
  peersComputedAt: string | null;
  minimumPeers: number;
  metrics: ReportMetricView[];
}

export interface ReportRequest {
  file: File;
  industry: string;
  currency: string;
}

export const fetchReportForm = (signal?: AbortSignal) => getJson<BenchmarkReportForm>(api, signal);

function form({ file, industry, currency }: ReportRequest): FormData {
  const body = new FormData();
  body.append('file', file, file.name);
  body.append('industry', industry);
  if (currency.trim()) body.append('currency', currency.trim());
  return body;
}

/** The report as JSON; a refusal (400/413/422/429) is a ProblemError with the server's words. */
export const makeReport = (req: ReportRequest) => request<BenchmarkReport>('POST', api, { body: form(req) });

/**
 * The same report as a PDF. The server keeps nothing of the file, so the file is sent again; the answer is saved
 * through a link to the blob, as a download.
 */
export async function downloadReportPdf(req: ReportRequest, report: BenchmarkReport): Promise<void> {
  const response = await fetch(`${api}/pdf`, { method: 'POST', body: form(req), headers: { Accept: 'application/pdf' } });
  if (!response.ok) throw await problemFrom(response, 'The PDF');
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = `benchmark-report-${report.industry}-${report.to}.pdf`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    // Revoked on the next turn, once the browser has started the download.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
