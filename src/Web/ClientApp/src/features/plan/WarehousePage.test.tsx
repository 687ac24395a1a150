// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WarehousePage, type WarehouseView } from './WarehousePage';

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } }));
}

const connected: WarehouseView = {
  kind: 'PostgreSql',
  host: 'db.example.com',
  port: 5432,
  database: 'analytics',
  username: 'sd',
  hasPassword: true,
  tls: true,
  intervalMinutes: 60,
  lastRunAt: '2026-11-20T10:00:00Z',
  lastSuccessAt: null,
  lastError: 'connection lost',
  lastRowsWritten: null,
};

afterEach(() => vi.unstubAllGlobals());

describe('WarehousePage', () => {
  it('connects with the typed details, naming a refused field', async () => {
    const fetch = vi.fn((_url: string, init?: RequestInit) =>
      init?.method === 'PUT' ? answer(400, { title: 'The warehouse connection is not valid', errors: { host: ['The warehouse host 10.0.0.1 is refused.'] } }) : answer(404, { title: 'No warehouse connection' }),
    );
    vi.stubGlobal('fetch', fetch);
    render(<WarehousePage tenantId="acme" />);
    await screen.findByTestId('warehouse-none');

    fireEvent.change(screen.getByLabelText('Host'), { target: { value: '10.0.0.1' } });
    fireEvent.change(screen.getByLabelText('Database'), { target: { value: 'analytics' } });
    fireEvent.change(screen.getByLabelText('User'), { target: { value: 'sd' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));

    expect((await screen.findByTestId('error-host')).textContent).toBe('The warehouse host 10.0.0.1 is refused.');
    const put = fetch.mock.calls.find((c) => c[1]?.method === 'PUT')!;
    expect(put[0]).toBe('/api/tenants/acme/warehouse');
    expect(JSON.parse(put[1]!.body as string)).toEqual({
      kind: 'PostgreSql', host: '10.0.0.1', port: 5432, database: 'analytics', username: 'sd', password: 's3cret', tls: true, intervalMinutes: 60,
    });
  });

  it('shows the last failure, keeps the password when left empty, and copies on demand', async () => {
    const fetch = vi.fn((url: string, init?: RequestInit) => {
      if (init?.method === 'POST') return answer(200, { orders: 5, refunds: 2 });
      if (init?.method === 'PUT') return answer(200, { ...connected, intervalMinutes: 30 });
      return answer(200, url.includes('warehouse') ? connected : {});
    });
    vi.stubGlobal('fetch', fetch);
    render(<WarehousePage tenantId="acme" />);

    expect((await screen.findByTestId('warehouse-last-run')).textContent).toContain('failed: connection lost');
    fireEvent.change(screen.getByLabelText('Copy every (minutes)'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fetch.mock.calls.some((c) => c[1]?.method === 'PUT')).toBe(true));
    const body = JSON.parse(fetch.mock.calls.find((c) => c[1]?.method === 'PUT')![1]!.body as string) as Record<string, unknown>;
    expect(body.password).toBeUndefined();
    expect(body.intervalMinutes).toBe(30);

    fireEvent.click(await screen.findByRole('button', { name: 'Copy now' }));
    expect((await screen.findByText('Copied 5 orders and 2 refunds.')).getAttribute('role')).toBe('status');
    expect(fetch).toHaveBeenCalledWith('/api/tenants/acme/warehouse/sync', expect.objectContaining({ method: 'POST' }));
  });
});
