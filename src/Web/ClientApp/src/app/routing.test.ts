import { describe, expect, it } from 'vitest';
import { alertsPath, boardPath, boardsPath, dashboardPath, historyPath, importPath, onboardingPath, parseRoute, quarantinePath, wallPath } from './routing';

describe('parseRoute', () => {
  it('keeps the store dashboard routes', () => {
    expect(parseRoute('/')).toEqual({ page: 'home' });
    expect(parseRoute(dashboardPath({ tenantId: 'demo', storeId: 'demo shop' }))).toEqual({
      page: 'dashboard',
      store: { tenantId: 'demo', storeId: 'demo shop' },
    });
  });

  it('reads an organisation’s dashboards and one dashboard', () => {
    expect(parseRoute(boardsPath('acme'))).toEqual({ page: 'boards', tenantId: 'acme' });
    expect(parseRoute(boardPath('acme', 'b1') + '/')).toEqual({ page: 'board', tenantId: 'acme', boardId: 'b1' });
  });

  it('reads the organisation settings pages, the data warehouse among them', () => {
    expect(parseRoute('/t/acme/warehouse')).toEqual({ page: 'org', tenantId: 'acme', section: 'warehouse' });
    expect(parseRoute('/t/acme/plan')).toEqual({ page: 'org', tenantId: 'acme', section: 'plan' });
    expect(parseRoute('/t/acme/benchmarks')).toEqual({ page: 'benchmarks', tenantId: 'acme' });
    expect(parseRoute('/stores/acme/shop/recommendations')).toEqual({ page: 'recommendations', store: { tenantId: 'acme', storeId: 'shop' } });
    expect(parseRoute('/stores/acme/shop/customers')).toEqual({ page: 'customers', store: { tenantId: 'acme', storeId: 'shop' } });
  });

  it('reads the public benchmark report, outside any organisation', () => {
    expect(parseRoute('/benchmark-report')).toEqual({ page: 'benchmark-report' });
    expect(parseRoute('/benchmark-report/')).toEqual({ page: 'benchmark-report' });
  });

  it('reads one or several wallboard tokens', () => {
    expect(parseRoute('/wall/abc')).toEqual({ page: 'wall', tokens: ['abc'] });
    expect(parseRoute(wallPath(['abc', 'def'], 30).split('?')[0]!)).toEqual({ page: 'wall', tokens: ['abc', 'def'] });
    expect(wallPath(['abc', 'def'], 30)).toBe('/wall/abc,def?rotate=30');
  });

  it('reads a store’s history and import pages', () => {
    const store = { tenantId: 'acme', storeId: 'eu shop' };
    expect(historyPath(store)).toBe('/stores/acme/eu%20shop/history');
    expect(parseRoute(historyPath(store))).toEqual({ page: 'history', store });
    expect(parseRoute(importPath(store) + '/')).toEqual({ page: 'import', store });
    expect(parseRoute('/stores/acme/eu/refunds')).toEqual({ page: 'not-found' });
  });

  it('reads the onboarding checklist, with or without the organisation', () => {
    expect(parseRoute('/onboarding')).toEqual({ page: 'onboarding', tenantId: null });
    expect(parseRoute(onboardingPath('acme co'))).toEqual({ page: 'onboarding', tenantId: 'acme co' });
    expect(parseRoute(alertsPath('acme co'))).toEqual({ page: 'alerts', tenantId: 'acme co' });
  });

  it('answers not-found for anything else', () => {
    expect(parseRoute('/wall/')).toEqual({ page: 'not-found' });
    expect(parseRoute('/t/acme')).toEqual({ page: 'not-found' });
    expect(parseRoute('/t/%E0%A4%A/dashboards')).toEqual({ page: 'not-found' });
  });
});

describe('quarantine route', () => {
  it('parses and builds a store quarantine path', () => {
    const store = { tenantId: 'acme', storeId: 'uk shop' };
    expect(quarantinePath(store)).toBe('/stores/acme/uk%20shop/quarantine');
    expect(parseRoute(quarantinePath(store))).toEqual({ page: 'quarantine', store });
  });
});
