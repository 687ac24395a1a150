// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuarantinePage, type QuarantineEntry } from './QuarantinePage';

const entry: QuarantineEntry = {
  id: 'j2',
  eventId: 'placed-o2',
  kind: 'OrderPlaced',
  channel: 'Shopify',
  field: 'lines[0].quantity',
  reason: '2000000000 is not between 1 and 1000000',
  quarantinedAt: '2026-11-25T15:30:00Z',
  occurredAt: '2026-11-25T15:00:00Z',
  payload: '{"OrderId":"o2"}',
};

function json(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('QuarantinePage', () => {
  it('lists what is held with the field that is wrong, from the store\'s quarantine API', async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push(`${init?.method ?? 'GET'} ${url}`);
        return json([entry]);
      }),
    );

    render(<QuarantinePage store={{ tenantId: 'acme', storeId: 'uk shop' }} />);

    expect((await screen.findByText('lines[0].quantity')).tagName).toBe('CODE');
    expect(screen.getByText('2000000000 is not between 1 and 1000000').tagName).toBe('TD');
    expect(calls).toEqual(['GET /api/tenants/acme/stores/uk%20shop/quarantine']);
  });

  it('says when nothing is held', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json([])));

    render(<QuarantinePage store={{ tenantId: 'acme', storeId: 'uk-shop' }} />);

    expect((await screen.findByText('Nothing in quarantine.')).tagName).toBe('P');
  });
});
