// Shape of GET /api/imports/{id} (camelCase), mirroring ImportProgress in src/Web/Imports/ImportJobs.cs.

export type ImportStatus = 'Queued' | 'Running' | 'Completed' | 'Failed';

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

export type ImportFormatChoice = '' | 'shopify-orders' | 'online-retail';
