import { describe, expect, it } from 'vitest';
import { isAppNavigation, isKeptApiResponse, offlineBannerText, offlineProblem, readAlertPayload } from './policy';

const origin = 'https://app.salesdash.test';
const u = (path: string, base = origin) => new URL(path, base);

describe('isKeptApiResponse', () => {
  it('keeps JSON figures from this origin', () => {
    expect(isKeptApiResponse(u('/api/tenants/acme/stores/uk/tiles'), origin, 200, 'application/json; charset=utf-8')).toBe(true);
  });

  it('keeps neither refusals, other sites, sign-in calls, push keys nor files', () => {
    expect(isKeptApiResponse(u('/api/stores'), origin, 401, 'application/problem+json')).toBe(false);
    expect(isKeptApiResponse(u('/api/stores', 'https://evil.test'), origin, 200, 'application/json')).toBe(false);
    expect(isKeptApiResponse(u('/api/auth/sign-in'), origin, 200, 'application/json')).toBe(false);
    expect(isKeptApiResponse(u('/api/push/key'), origin, 200, 'application/json')).toBe(false);
    expect(isKeptApiResponse(u('/api/exports/orders.csv'), origin, 200, 'text/csv')).toBe(false);
    expect(isKeptApiResponse(u('/assets/index.js'), origin, 200, 'application/json')).toBe(false);
  });
});

describe('isAppNavigation', () => {
  it('serves the shell for client routes but not for the API, hubs or webhooks', () => {
    expect(isAppNavigation(u('/t/acme/alerts'), origin)).toBe(true);
    expect(isAppNavigation(u('/'), origin)).toBe(true);
    expect(isAppNavigation(u('/api/me'), origin)).toBe(false);
    expect(isAppNavigation(u('/hubs/dashboard'), origin)).toBe(false);
    expect(isAppNavigation(u('/webhooks/shopify'), origin)).toBe(false);
    expect(isAppNavigation(u('/apiary'), origin)).toBe(true);
  });
});

describe('readAlertPayload', () => {
  it('keeps the alert and its page', () => {
    const p = readAlertPayload({ title: 'Revenue drop (uk)', body: 'Revenue is 40% below', tag: 'alert-a1', url: '/t/acme/alerts?alert=a1', alertId: 'a1' });
    expect(p).toMatchObject({ title: 'Revenue drop (uk)', body: 'Revenue is 40% below', tag: 'alert-a1', url: '/t/acme/alerts?alert=a1', alertId: 'a1' });
  });

  it('never opens another site and survives garbage', () => {
    expect(readAlertPayload({ title: 'x', url: 'https://evil.test/' }).url).toBe('/');
    expect(readAlertPayload({ title: 'x', url: '//evil.test/' }).url).toBe('/');
    expect(readAlertPayload('nonsense')).toEqual({ title: 'SalesDash alert', body: '', tag: 'salesdash-alert', url: '/' });
  });
});

describe('offlineBannerText', () => {
  it('says when the figures are from', () => {
    const saved = new Date(2026, 11, 6, 14, 5);
    expect(offlineBannerText(saved, new Date(2026, 11, 6, 15, 0), 'en-GB')).toBe('Offline — figures as of 14:05');
    expect(offlineBannerText(saved, new Date(2026, 11, 7, 9, 0), 'en-GB')).toBe('Offline — figures as of 6 Dec 14:05');
    expect(offlineBannerText(null, new Date(), 'en-GB')).toBe('Offline — no figures saved on this device yet');
  });
});

describe('offlineProblem', () => {
  it('is problem+json naming the page', () => {
    const p = offlineProblem('/api/stores');
    expect(p.status).toBe(503);
    expect(JSON.parse(p.body)).toMatchObject({ title: 'Offline', status: 503 });
  });
});
