// Test data shared by the imports tests: an import's progress as GET /api/tenants/{t}/imports/{id} answers it.
import type { ImportProgress } from './types';

/** A queued import of acme/uk-shop with nothing done yet, changed by `overrides`. */
export function importProgress(overrides: Partial<ImportProgress> = {}): ImportProgress {
  return {
    id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    tenantId: 'acme',
    storeId: 'uk-shop',
    format: 'shopify-orders',
    fileName: 'orders_export.csv',
    status: 'Queued',
    totalRows: 0,
    rowsDone: 0,
    rowsPerSecond: null,
    etaSeconds: null,
    eventsAccepted: 0,
    eventsDuplicate: 0,
    errorCount: 0,
    errors: [],
    queuedAt: '2026-11-25T08:00:00Z',
    startedAt: null,
    finishedAt: null,
    failure: null,
    ...overrides,
  };
}
