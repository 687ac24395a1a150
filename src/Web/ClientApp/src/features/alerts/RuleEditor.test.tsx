// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../lib/http';
import type { AlertRuleRequest, AlertRuleView } from './api';
import { RuleEditor } from './RuleEditor';

function view(body: AlertRuleRequest, id = 'r1'): AlertRuleView {
  return { ...body, id, tenantId: 'acme', quietHours: null, kind: body.kind };
}

function api() {
  return {
    createRule: vi.fn((_t: string, body: AlertRuleRequest) => Promise.resolve(view(body))),
    updateRule: vi.fn((_t: string, id: string, body: AlertRuleRequest) => Promise.resolve(view(body, id))),
  };
}

const stores = [{ storeId: 'uk-shop', name: 'UK shop' }];
const all = ['CustomAlerts', 'AdvancedAnalytics'];

describe('RuleEditor', () => {
  it.each([
    ['Threshold', { Level: '500' }, { threshold: 500, direction: 'Below', metric: 'Revenue' }],
    ['PercentChange', { 'Change (%)': '25' }, { threshold: 25, comparison: 'LastWeek' }],
    ['Anomaly', {}, { minimumSeverity: 'Low', metric: 'Revenue' }],
    ['NoOrders', { 'Minutes without an order': '45' }, { windowMinutes: 45, metric: 'Orders', threshold: null, duringTradingHours: false }],
  ] as const)('sends a %s rule with its own fields', async (kind, fill, expected) => {
    const a = api();
    const onSaved = vi.fn();
    render(<RuleEditor tenantId="acme" stores={stores} features={all} api={a} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: `My ${kind}` } });
    fireEvent.change(screen.getByLabelText('When'), { target: { value: kind } });
    fireEvent.change(screen.getByLabelText('Store'), { target: { value: 'uk-shop' } });
    for (const [label, value] of Object.entries(fill)) fireEvent.change(screen.getByLabelText(label), { target: { value } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(a.createRule).toHaveBeenCalledWith('acme', expect.objectContaining({ name: `My ${kind}`, kind, storeId: 'uk-shop', ...expected }));
  });

  it('shows the server refusal beside the field it names', async () => {
    const a = api();
    a.createRule.mockRejectedValueOnce(new ValidationError({ threshold: ['A threshold rule needs a threshold of 0 or more.'] }));
    render(<RuleEditor tenantId="acme" stores={stores} features={all} api={a} onSaved={() => {}} onCancel={() => {}} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Low revenue' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rule' }));
    expect((await screen.findByTestId('rule-error-threshold')).textContent).toContain('threshold of 0 or more');
    expect(a.createRule.mock.calls[0]?.[1].threshold).toBeNull();
  });

  it('edits an existing rule with PUT, keeping what was not changed', async () => {
    const a = api();
    const rule = view({
      name: 'Checkout', kind: 'NoOrders', metric: 'Orders', direction: 'Below', threshold: null, windowMinutes: 30, comparison: 'LastWeek',
      minimumSeverity: 'Low', frequencyMinutes: 120, recipients: ['ops@acme.test'], webhookUrl: 'https://hooks.example.test/x', inApp: true,
      storeId: 'uk-shop', channel: null, enabled: true, duringTradingHours: true,
    }, 'r9');
    render(<RuleEditor tenantId="acme" stores={stores} features={all} rule={rule} api={a} onSaved={() => {}} onCancel={() => {}} />);
    fireEvent.change(screen.getByLabelText('Minutes without an order'), { target: { value: '20' } });
    fireEvent.click(screen.getByLabelText('Enabled'));
    fireEvent.click(screen.getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(a.updateRule).toHaveBeenCalled());
    expect(a.updateRule).toHaveBeenCalledWith('acme', 'r9', expect.objectContaining({
      windowMinutes: 20, enabled: false, duringTradingHours: true, frequencyMinutes: 120, recipients: ['ops@acme.test'], webhookUrl: 'https://hooks.example.test/x',
    }));
    expect(a.createRule).not.toHaveBeenCalled();
  });

  it('says which plan a kind needs and will not send a rule the plan refuses', () => {
    const { unmount } = render(<RuleEditor tenantId="acme" stores={stores} features={['CustomAlerts']} api={api()} onSaved={() => {}} onCancel={() => {}} />);
    const anomaly = within(screen.getByLabelText('When')).getByRole('option', { name: /Anomaly/ }) as HTMLOptionElement;
    expect(anomaly.disabled).toBe(true);
    expect(anomaly.textContent).toContain('needs the Scale plan');
    expect(screen.queryByTestId('rule-plan-gate')).toBeNull();
    unmount();

    const a = api();
    render(<RuleEditor tenantId="acme" stores={stores} features={[]} api={a} onSaved={() => {}} onCancel={() => {}} />);
    expect(screen.getByTestId('rule-plan-gate').textContent).toContain('Growth plan');
    expect((screen.getByRole('button', { name: 'Save rule' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('starts from a widget draft: its metric, store and channel', () => {
    render(
      <RuleEditor tenantId="acme" stores={stores} features={all} draft={{ name: 'Revenue on Amazon', kind: 'Threshold', metric: 'AverageOrderValue', storeId: 'uk-shop', channel: 'Amazon' }}
        api={api()} onSaved={() => {}} onCancel={() => {}} />,
    );
    expect((screen.getByLabelText('Metric') as HTMLSelectElement).value).toBe('AverageOrderValue');
    expect((screen.getByLabelText('Store') as HTMLSelectElement).value).toBe('uk-shop');
    expect((screen.getByLabelText('Channel') as HTMLSelectElement).value).toBe('Amazon');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Revenue on Amazon');
  });
});
