import { describe, expect, it } from 'vitest';
import { historyExportUrl, widgetExportUrl } from './exportLinks';
import { attemptText, emptyDraft, formatBytes, inputOf, parseRecipients } from './reportForm';

describe('report form', () => {
  it('reads recipients separated by commas, semicolons and lines, each once', () => {
    expect(parseRecipients('a@x.test, b@x.test;\nA@x.test\n\n c@x.test ')).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
  });

  it('sends no time zone when left empty, so the first store’s is used', () => {
    const input = inputOf({ ...emptyDraft(['uk-shop']), name: '  Morning numbers ', recipients: 'ops@acme.test' });
    expect(input).toMatchObject({ name: 'Morning numbers', timeZone: null, recipients: ['ops@acme.test'], storeIds: ['uk-shop'] });
  });

  it('sends a custom range’s dates, only the metrics picked, and no dates for a scheduled period', () => {
    const custom = inputOf({ ...emptyDraft(['uk-shop']), period: 'custom', from: '2026-11-21', to: '2026-11-23', metrics: ['orders', 'grossRevenue'], format: 'xlsx' });
    expect(custom).toMatchObject({ period: 'custom', from: '2026-11-21', to: '2026-11-23', metrics: ['grossRevenue', 'orders'], format: 'xlsx' });
    const daily = inputOf({ ...emptyDraft(['uk-shop']), from: '2026-11-21', to: '2026-11-23' });
    expect(daily).toMatchObject({ from: null, to: null, metrics: [], format: 'pdf' });
  });

  it('says which node a send was taken over from, and only the count otherwise', () => {
    expect(attemptText({ attempts: 2, takenOverFrom: '10.0.0.7:4053' })).toBe('attempt 2, taken over from node 10.0.0.7:4053');
    expect([attemptText({ attempts: 1, takenOverFrom: null }), attemptText({ attempts: 3 })]).toEqual(['1', '3']);
  });

  it('prints PDF sizes in B, KB and MB', () => {
    expect([formatBytes(null), formatBytes(900), formatBytes(48213), formatBytes(3 * 1024 * 1024)]).toEqual(['–', '900 B', '47.1 KB', '3.0 MB']);
  });
});

describe('export links', () => {
  it('asks the export API with the view’s own query and the format', () => {
    expect(historyExportUrl({ tenantId: 'acme', storeId: 'uk shop' }, 'breakdown', 'period=last7&compare=previous&by=channel', 'xlsx')).toBe(
      '/api/tenants/acme/exports/stores/uk%20shop/breakdown?period=last7&compare=previous&by=channel&format=xlsx',
    );
    expect(historyExportUrl({ tenantId: 'acme', storeId: 'uk-shop' }, 'breakdown', 'by=store', 'csv', 'tenant')).toBe(
      '/api/tenants/acme/exports/breakdown?by=store&format=csv',
    );
    expect(widgetExportUrl('acme', 'b1', 'w 1', 'csv')).toBe('/api/tenants/acme/exports/dashboards/b1/widgets/w%201?format=csv');
  });
});
