// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrandingPage } from './BrandingPage';

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } }));
}

afterEach(() => vi.unstubAllGlobals());

describe('BrandingPage', () => {
  it("tells an organisation whose plan lacks white-label which plan has it", async () => {
    vi.stubGlobal('fetch', vi.fn(() =>
      answer(403, {
        type: 'https://salesdash.dev/problems/plan-limit',
        title: 'Plan limit reached',
        detail: 'The Starter plan does not include white-label branding. The Scale plan includes it.',
      }),
    ));
    render(<BrandingPage tenantId="acme" />);
    expect(await screen.findByTestId('branding-refused')).toHaveProperty(
      'textContent',
      'The Starter plan does not include white-label branding. The Scale plan includes it.',
    );
  });

  it('previews the name as it is typed and shows the server’s field message on save', async () => {
    const settings = {
      tenantId: 'acme',
      stored: null,
      inEffect: { productName: 'SalesDash', primaryColour: '#1f6feb', accentColour: '#f59e0b', logoDataUri: null },
      default: { productName: 'SalesDash', primaryColour: '#1f6feb', accentColour: '#f59e0b', logoDataUri: null },
      maxProductNameLength: 40,
      maxLogoBytes: 102400,
    };
    const fetch = vi.fn((_url: string, init?: RequestInit) =>
      init?.method === 'PUT'
        ? answer(400, { title: 'The branding is not valid', errors: { logoDataUri: ['The SVG logo contains <script>, which can run script; remove it and upload again.'] } })
        : answer(200, settings),
    );
    vi.stubGlobal('fetch', fetch);
    render(<BrandingPage tenantId="acme" />);
    fireEvent.change(await screen.findByTestId('brand-name'), { target: { value: 'Acme Pulse' } });
    expect(screen.getByTestId('brand-preview').textContent).toContain('Acme Pulse');

    fireEvent.click(screen.getByRole('button', { name: 'Save branding' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('contains <script>'));
    const put = fetch.mock.calls.find(([, init]) => init?.method === 'PUT')!;
    expect(JSON.parse(put[1]!.body as string)).toMatchObject({ productName: 'Acme Pulse' });
  });
});
