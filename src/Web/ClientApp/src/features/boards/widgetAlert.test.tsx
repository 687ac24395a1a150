// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AlertMeMenu } from './BoardCanvas';
import { widgetAlertHref } from './BoardEditorPage';
import type { Widget } from './types';

const widget = (kind: Widget['kind'], metric: Widget['settings']['metric'], channel: string | null = null): Widget => ({
  id: 'w1', kind, title: 'Revenue', settings: { metric, period: 'today', comparison: 'none', channel, chartType: null, target: null, targetLabel: null },
});

describe('"Alert me when this…" on a board widget', () => {
  it('links a KPI to a new rule on its metric, channel and the board\'s one store', () => {
    const href = widgetAlertHref('acme', widget('kpi', 'gross-revenue', 'Amazon'), [{ storeId: 'uk-shop' }]);
    const q = new URL(href!, 'http://x').searchParams;
    expect([q.get('metric'), q.get('channel'), q.get('store'), q.get('newRule')]).toEqual(['Revenue', 'Amazon', 'uk-shop', '1']);
    expect(new URL(widgetAlertHref('acme', widget('kpi', 'orders'), [{ storeId: 'a' }, { storeId: 'b' }])!, 'http://x').searchParams.get('store')).toBeNull();
  });

  it('offers nothing for a figure no rule watches or a widget that is not a figure', () => {
    expect(widgetAlertHref('acme', widget('kpi', 'refunds'), [])).toBeNull();
    expect(widgetAlertHref('acme', widget('order-feed', 'orders'), [])).toBeNull();
  });

  it('shows the menu entry', () => {
    render(<AlertMeMenu title="Revenue" href="/t/acme/alerts?newRule=1&metric=Revenue" />);
    expect(screen.getByRole('link', { name: 'Alert me when this…' }).getAttribute('href')).toBe('/t/acme/alerts?newRule=1&metric=Revenue');
  });
});
