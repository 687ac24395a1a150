// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { OnboardingApi, OnboardingView, StepId } from './api';
import { OnboardingPage } from './OnboardingPage';

const steps: { id: StepId; title: string }[] = [
  { id: 'sign-up', title: 'Sign up' },
  { id: 'connect-channel', title: 'Connect a channel' },
  { id: 'choose-tracking', title: 'Choose what to track' },
  { id: 'pick-template', title: 'Pick a dashboard template' },
  { id: 'live', title: 'Live' },
];

function view(next: StepId | null, app = true): OnboardingView {
  const at = next === null ? steps.length : steps.findIndex((s) => s.id === next);
  return {
    checklist: {
      tenantId: 'acme',
      steps: steps.map((s, i) => ({ ...s, done: i < at, detail: '' })),
      next,
      complete: next === null,
      trackedMetrics: [],
      templateId: null,
      dashboardId: null,
      metricChoices: ['gross-revenue', 'orders', 'refunds'],
      templates: [
        { id: 'essentials', name: 'Essentials', description: 'Tiles, chart, feed.' },
        { id: 'focus', name: 'Focus', description: 'Just tiles.' },
      ],
    },
    shopifyInstallations: [],
    shopifyAppAvailable: app,
  };
}

function fakeApi(first: OnboardingView, overrides: Partial<OnboardingApi> = {}): OnboardingApi {
  return {
    get: vi.fn(() => Promise.resolve(first)),
    track: vi.fn(() => Promise.resolve(view('pick-template'))),
    pickTemplate: vi.fn(() => Promise.resolve({ id: 'd1' })),
    manualSetup: vi.fn(() => Promise.resolve({ webhookUrl: 'https://dash.example.com/webhooks/shopify', topics: ['orders/create'], webhookSecret: 'f'.repeat(64) })),
    install: vi.fn(() => Promise.resolve({ authorizeUrl: 'https://my-shop.myshopify.com/admin/oauth/authorize?client_id=x' })),
    createStore: vi.fn(() => Promise.resolve({ tenantId: 'acme', storeId: 'my-shop' })),
    ...overrides,
  };
}

describe('OnboardingPage', () => {
  it('shows every step with what is done and marks the next one', async () => {
    render(<OnboardingPage tenantId="acme" navigate={vi.fn()} api={fakeApi(view('choose-tracking'))} />);
    const next = await screen.findByTestId('step-choose-tracking');
    expect(next.getAttribute('aria-current')).toBe('step');
    expect(screen.getByTestId('step-connect-channel').getAttribute('data-done')).toBe('true');
    expect(screen.getByTestId('step-live').getAttribute('data-done')).toBe('false');
  });

  it('sends the merchant to the authorize URL the server made for their shop', async () => {
    const api = fakeApi(view('connect-channel'));
    const leaveFor = vi.fn();
    render(<OnboardingPage tenantId="acme" navigate={vi.fn()} api={api} leaveFor={leaveFor} />);
    fireEvent.change(await screen.findByLabelText('Shop domain', { selector: 'form[aria-label="Install the Shopify app"] input' }), { target: { value: ' my-shop.myshopify.com ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Install the Shopify app' }));

    await waitFor(() => expect(leaveFor).toHaveBeenCalledWith('https://my-shop.myshopify.com/admin/oauth/authorize?client_id=x'));
    expect(api.install).toHaveBeenCalledWith('acme', 'my-shop.myshopify.com');
  });

  it('manual path shows the exact webhook address and the generated secret, and creates the store with that secret', async () => {
    const api = fakeApi(view('connect-channel', false));
    const created = vi.fn();
    render(<OnboardingPage tenantId="acme" navigate={vi.fn()} api={api} onStoreCreated={created} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Connect by webhook instead' }));

    expect((await screen.findByTestId('manual-webhook-url')).textContent).toBe('https://dash.example.com/webhooks/shopify');
    expect((screen.getByTestId('manual-webhook-secret') as HTMLInputElement).value).toBe('f'.repeat(64));
    expect(screen.getByRole('button', { name: 'Copy address' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy secret' })).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Store name'), { target: { value: 'My shop' } });
    fireEvent.change(screen.getByLabelText('Shop domain'), { target: { value: 'my-shop.myshopify.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect the store' }));
    await waitFor(() => expect(created).toHaveBeenCalled());
    expect(api.createStore).toHaveBeenCalledWith('acme', expect.objectContaining({ name: 'My shop', shopDomain: 'my-shop.myshopify.com', webhookSecret: 'f'.repeat(64) }));
  });

  it('stores the chosen figures and then the template', async () => {
    const api = fakeApi(view('choose-tracking'));
    render(<OnboardingPage tenantId="acme" navigate={vi.fn()} api={api} />);
    fireEvent.click(await screen.findByLabelText('Refunds'));
    fireEvent.click(screen.getByRole('button', { name: 'Track these' }));
    await waitFor(() => expect(api.track).toHaveBeenCalledWith('acme', ['gross-revenue', 'orders', 'refunds']));

    fireEvent.click(await screen.findByLabelText(/Focus/));
    fireEvent.click(screen.getByRole('button', { name: 'Use this template' }));
    await waitFor(() => expect(api.pickTemplate).toHaveBeenCalledWith('acme', 'focus'));
  });
});
