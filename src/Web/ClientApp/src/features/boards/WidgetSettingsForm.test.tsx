// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Widget } from './types';
import { WidgetSettingsForm } from './WidgetSettingsForm';

const kpi: Widget = {
  id: 'w1',
  kind: 'kpi',
  title: null,
  settings: { metric: 'gross-revenue', period: 'today', comparison: 'last-week', channel: null, chartType: null, target: null, targetLabel: null },
};

describe('WidgetSettingsForm metric picker', () => {
  it("offers the organisation's custom metrics to a kpi and names the widget after the one picked", () => {
    const onChange = vi.fn();
    render(<WidgetSettingsForm widget={kpi} onChange={onChange} onClose={() => {}} customMetrics={[{ id: 'm1', name: 'Contribution' }]} />);

    fireEvent.change(screen.getByTestId('setting-metric'), { target: { value: 'custom:m1' } });

    expect(onChange).toHaveBeenCalledWith({
      ...kpi,
      title: 'Contribution',
      settings: { ...kpi.settings, metric: 'custom:m1', comparison: 'none' },
    });
  });

  it('does not offer custom metrics to widgets that cannot show them', () => {
    render(
      <WidgetSettingsForm
        widget={{ ...kpi, kind: 'goal', settings: { ...kpi.settings, comparison: 'none', target: 10 } }}
        onChange={() => {}}
        onClose={() => {}}
        customMetrics={[{ id: 'm1', name: 'Contribution' }]}
      />,
    );
    expect(screen.queryByRole('option', { name: 'Contribution' })).toBeNull();
  });
});
