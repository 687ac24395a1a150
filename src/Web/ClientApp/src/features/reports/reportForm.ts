// The report form's draft and how it becomes the API's input; the server checks the same rules (ReportsApi.ValidateAsync).
import type { Report, ReportInput, ReportPeriod, ReportSections } from './types';

export interface ReportDraft {
  name: string;
  storeIds: string[];
  period: ReportPeriod;
  sendTime: string;
  timeZone: string;
  recipients: string;
  sections: ReportSections;
  enabled: boolean;
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
};

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
  };
}

/** 48213 → "47.1 KB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
