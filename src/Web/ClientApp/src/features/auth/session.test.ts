import { describe, expect, it, vi } from 'vitest';
import { hasRole, installSignInRedirect, nextPath, signInPath } from './session';

describe('session', () => {
  it('ranks roles so each includes those below it', () => {
    expect(hasRole('Owner', 'Admin')).toBe(true);
    expect(hasRole('Admin', 'Admin')).toBe(true);
    expect(hasRole('Analyst', 'Admin')).toBe(false);
    expect(hasRole(undefined, 'Viewer')).toBe(false);
  });

  it('goes back only to paths of this site after signing in', () => {
    expect(nextPath('?next=%2Ft%2Facme%2Fdashboards')).toBe('/t/acme/dashboards');
    expect(nextPath('?next=https%3A%2F%2Fevil.test')).toBe('/');
    expect(nextPath('?next=%2F%2Fevil.test')).toBe('/');
    expect(nextPath('')).toBe('/');
    expect(signInPath('/dashboards/acme/uk-shop')).toBe('/sign-in?next=%2Fdashboards%2Facme%2Fuk-shop');
  });

  it('sends a 401 from the API to sign-in, but not one from sign-in itself or on a wallboard', async () => {
    const assign = vi.fn();
    const fake = {
      fetch: vi.fn(async () => new Response('{}', { status: 401 })),
      location: { pathname: '/dashboards/acme/uk-shop', search: '', assign },
    } as unknown as Window;
    installSignInRedirect(fake);

    await fake.fetch('/api/auth/sign-in', { method: 'POST' });
    expect(assign).not.toHaveBeenCalled();

    await fake.fetch('/api/stores');
    expect(assign).toHaveBeenCalledWith('/sign-in?next=%2Fdashboards%2Facme%2Fuk-shop');

    assign.mockClear();
    (fake.location as { pathname: string }).pathname = '/wall/abc';
    await fake.fetch('/api/wall/abc');
    expect(assign).not.toHaveBeenCalled();
  });
});
