// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportPage } from './ImportPage';
import { pollIntervalMs } from './progress';
import { importProgress as progress } from './testing';
import type { ImportPreview } from './types';

function preview(overrides: Partial<ImportPreview>): ImportPreview {
  return {
    encoding: 'utf-8',
    delimiter: 'comma',
    header: ['Name', 'Created at'],
    layout: 'shopify-orders',
    mapping: { orderId: 'Name', date: 'Created at' },
    dateOrder: null,
    dateOrderFrom: 'none needed',
    needsMapping: false,
    needsDateOrder: false,
    failure: null,
    sampleRows: 1,
    sampleOrders: 1,
    sampleRefunds: 0,
    sampleRejected: 0,
    rows: [
      { line: 2, cells: ['#1001', '2026-11-25'], becomes: 'order', orderId: '#1001', placedAt: '2026-11-25T09:00:00', amount: 12.5, currency: 'GBP', customer: null, problem: null },
    ],
    layouts: [
      { name: 'shopify-orders', title: 'Shopify orders export' },
      { name: 'generic', title: 'Date, order id, amount' },
    ],
    fields: ['orderId', 'date', 'total', 'customer'],
    ...overrides,
  };
}

/** Taken before any test fakes it, so `answered` can wait one real macrotask. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Lets every answer the fake fetch has already given reach the page: a Response's json() settles in microtasks, and all
 * of them run before the next macrotask.
 */
const answered = () => act(() => new Promise<void>((resolve) => realSetTimeout(resolve, 0)));

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('Import page', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('uploads the file, shows rows/s and time left while it runs, then the summary and the bad row’s line', async () => {
    const answers = [
      progress({ status: 'Running', totalRows: 4_000, rowsDone: 1_000, rowsPerSecond: 2_000, etaSeconds: 1.5 }),
      progress({
        status: 'Completed',
        totalRows: 4_000,
        rowsDone: 4_000,
        rowsPerSecond: 2_500,
        etaSeconds: 0,
        eventsAccepted: 3_120,
        errorCount: 1,
        errors: [{ line: 17, message: "order #1016: Lineitem quantity 'two' is not a positive whole number; order not imported" }],
      }),
    ];
    const requests: { url: string; method: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init?: RequestInit) => {
        requests.push({ url, method: init?.method ?? 'GET', body: init?.body });
        if (url.endsWith('/preview')) return Promise.resolve(json(preview({})));
        if (init?.method === 'POST') return Promise.resolve(json(progress({}), 202));
        return Promise.resolve(json(answers.length > 1 ? answers.shift() : answers[0]));
      }),
    );

    // The page polls on setTimeout, scheduling each poll once the previous answer has been read; the test moves the
    // clock one interval at a time, so each answer is on screen before the next poll can replace it, however slow
    // the machine. With setTimeout fake, Testing Library's waitFor cannot run (it ends on a setTimeout): the test
    // lets the fake fetch's answers land with `answered` instead.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: false });
    render(<ImportPage store={{ tenantId: 'acme', storeId: 'uk-shop' }} storeName="UK shop" navigate={() => {}} />);
    const file = new File(['Name,Created at\n'], 'orders_export.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [file] } });
    await answered();
    expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', false);
    expect(screen.getByTestId('import-preview-summary').textContent).toContain('1 become orders');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await answered();
    const gets = () => requests.filter((r) => r.method === 'GET').length;
    expect(screen.getByTestId('import-status').getAttribute('data-status')).toBe('Queued');
    expect(gets()).toBe(0);

    await act(() => vi.advanceTimersByTimeAsync(pollIntervalMs));
    expect(gets()).toBe(1);
    expect(screen.getByTestId('import-status').getAttribute('data-status')).toBe('Running');
    expect(screen.getByTestId('import-rate').textContent).toBe('2,000 rows/s');
    expect(screen.getByTestId('import-eta').textContent).toBe('2 s');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', true);

    await act(() => vi.advanceTimersByTimeAsync(pollIntervalMs));
    expect(gets()).toBe(2);
    expect(screen.getByTestId('import-status').getAttribute('data-status')).toBe('Completed');
    expect(screen.getByTestId('import-summary').textContent).toContain('Imported 3,120 orders and refunds from 4,000 rows. 1 row was rejected');
    const errors = within(screen.getByTestId('import-errors'));
    expect(errors.getByRole('rowheader').textContent).toBe('17');
    expect(errors.getByRole('cell').textContent).toContain('#1016');

    const post = requests.find((r) => r.method === 'POST' && !r.url.endsWith('/preview'));
    // Only the store-scoped and organisation routes: the old /api/imports/… addresses are kept for scripts alone.
    expect(post?.url).toBe('/api/tenants/acme/stores/uk-shop/imports');
    expect(requests.find((r) => r.url.endsWith('/preview'))?.url).toBe('/api/tenants/acme/stores/uk-shop/imports/preview');
    expect(new Set(requests.filter((r) => r.method === 'GET').map((r) => r.url))).toEqual(
      new Set(['/api/tenants/acme/imports/3f2504e0-4f89-11d3-9a0c-0305e82c3301']),
    );
    expect((post?.body as FormData).get('file')).toBeInstanceOf(File);
    // Polling stops once the import has finished: ten more intervals ask nothing.
    await act(() => vi.advanceTimersByTimeAsync(10 * pollIntervalMs));
    expect(gets()).toBe(2);
  });

  it('asks for a column mapping when no layout fits, previews with it, and imports with it', async () => {
    const imports: FormData[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init?: RequestInit) => {
        const body = init?.body as FormData;
        if (url.endsWith('/preview')) {
          const mapped = body.get('mapping') !== null;
          return Promise.resolve(
            json(
              mapped
                ? preview({ layout: 'custom', header: ['Wann', 'Beleg', 'Betrag'], dateOrder: 'day-first', dateOrderFrom: 'file' })
                : preview({
                    layout: null,
                    header: ['Wann', 'Beleg', 'Betrag'],
                    needsMapping: true,
                    failure: 'the header (line 1) is not one of the known layouts',
                    sampleOrders: 0,
                    sampleRejected: 1,
                    rows: [{ line: 2, cells: ['13.10.2026', 'B-1', '12,50'], becomes: 'rejected', orderId: null, placedAt: null, amount: null, currency: null, customer: null, problem: 'map its columns' }],
                  }),
            ),
          );
        }
        // Once started, the page polls with GETs every pollIntervalMs of real time: only the POST that starts the import
        // is kept, so the body checked below is that POST's however many polls a slow machine let through first.
        if (init?.method === 'POST') imports.push(body);
        return Promise.resolve(json(progress({ status: 'Queued' }), 202));
      }),
    );
    render(<ImportPage store={{ tenantId: 'acme', storeId: 'uk-shop' }} navigate={() => {}} />);
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [new File(['Wann;Beleg;Betrag\n'], 'x.csv')] } });

    const mapping = await screen.findByTestId('import-mapping');
    expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', true);
    fireEvent.change(within(mapping).getByLabelText('Order id'), { target: { value: 'Beleg' } });
    fireEvent.change(within(mapping).getByLabelText('Date'), { target: { value: 'Wann' } });
    fireEvent.change(within(mapping).getByLabelText('Order total'), { target: { value: 'Betrag' } });

    await waitFor(() => expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', false));
    expect(screen.getByTestId('import-detected').textContent).toContain('dates day-first');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await screen.findByTestId('import-status');
    expect(imports).toHaveLength(1);
    const sent = imports[0] as FormData;
    expect(JSON.parse(String(sent.get('mapping')))).toEqual({ orderId: 'Beleg', date: 'Wann', total: 'Betrag' });
    expect(sent.get('file')).toBeInstanceOf(File);
  });

  it('says why an upload was refused', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(json({ title: 'Invalid import', detail: 'The file’s header is neither Shopify’s order export nor Online Retail' }, 400))),
    );
    render(<ImportPage store={{ tenantId: 'acme', storeId: 'uk-shop' }} navigate={() => {}} />);
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [new File(['a,b\n'], 'x.csv')] } });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not start the import: The file’s header is neither Shopify’s order export nor Online Retail',
    );
  });
});
