// Shape of GET /api/tenants/{t}/imports/{id} (camelCase), mirroring ImportProgress in src/Web/Imports/ImportJobs.cs.

export type ImportStatus = 'Uploading' | 'Queued' | 'Running' | 'Completed' | 'Failed';

export interface ImportError {
  line: number;
  message: string;
}

export interface ImportProgress {
  id: string;
  tenantId: string;
  storeId: string;
  format: string;
  fileName: string;
  status: ImportStatus;
  totalRows: number;
  rowsDone: number;
  /** Null (or 0 on older servers) until measurable time has passed. */
  rowsPerSecond: number | null;
  /** Null before the first rows are done, 0 once finished. */
  etaSeconds: number | null;
  eventsAccepted: number;
  eventsDuplicate: number;
  errorCount: number;
  errors: ImportError[];
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failure: string | null;
}

/** '' recognises the layout from the header; 'custom' reads the file with the column mapping. */
export type ImportFormatChoice = string;

export type DateOrderChoice = '' | 'day-first' | 'month-first';

/** What the person chose: layout, column mapping (field → header), date order. */
export interface ImportChoices {
  format: ImportFormatChoice;
  mapping: Record<string, string>;
  dateOrder: DateOrderChoice;
}

// Shape of POST /api/tenants/{t}/stores/{s}/imports/preview, mirroring ImportPreview in src/Web/Imports/ImportsApi.cs.
export interface PreviewRow {
  line: number;
  cells: string[];
  becomes: 'order' | 'refund' | 'rejected';
  orderId: string | null;
  placedAt: string | null;
  amount: number | null;
  currency: string | null;
  customer: string | null;
  problem: string | null;
}

export interface ImportPreview {
  encoding: string;
  delimiter: string;
  header: string[];
  layout: string | null;
  mapping: Record<string, string>;
  dateOrder: 'day-first' | 'month-first' | null;
  dateOrderFrom: string;
  needsMapping: boolean;
  needsDateOrder: boolean;
  failure: string | null;
  sampleRows: number;
  sampleOrders: number;
  sampleRefunds: number;
  sampleRejected: number;
  rows: PreviewRow[];
  layouts: { name: string; title: string }[];
  fields: string[];
}
