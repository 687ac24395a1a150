import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, getJson, PLAN_LIMIT_TYPE, ProblemError, request, send, storeApi, tenantApi, ValidationError } from '.';

function answer(status: number, body: unknown, contentType = 'application/problem+json', statusText = '') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn().mockResolvedValue(new Response(status === 204 ? null : text, { status, statusText, headers: { 'Content-Type': contentType } }));
}

async function refusal(call: Promise<unknown>): Promise<ProblemError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('the call did not fail');
}

afterEach(() => vi.unstubAllGlobals());

describe('lib/http', () => {
  it('returns the JSON of a 2xx answer and asks for JSON', async () => {
    const fetch = answer(200, [{ storeId: 'uk-shop' }], 'application/json');
    vi.stubGlobal('fetch', fetch);

    await expect(getJson('/api/stores')).resolves.toEqual([{ storeId: 'uk-shop' }]);
    expect(fetch).toHaveBeenCalledWith('/api/stores', expect.objectContaining({ method: 'GET', headers: { Accept: 'application/json' } }));
  });

  it('sends a body as JSON and gives undefined for 204', async () => {
    const fetch = answer(204, '', 'application/json');
    vi.stubGlobal('fetch', fetch);

    await expect(send('PUT', '/api/tenants/acme/plan', { tier: 'Growth' })).resolves.toBeUndefined();
    expect(fetch).toHaveBeenCalledWith(
      '/api/tenants/acme/plan',
      expect.objectContaining({ body: '{"tier":"Growth"}', headers: { Accept: 'application/json', 'Content-Type': 'application/json' } }),
    );
  });

  it('posts FormData as it is, without a JSON content type', async () => {
    const fetch = answer(202, { id: 'x' }, 'application/json');
    vi.stubGlobal('fetch', fetch);
    const form = new FormData();
    form.append('file', new Blob(['a,b']), 'orders.csv');

    await request('POST', '/api/tenants/acme/stores/uk-shop/imports', { body: form });
    const init = fetch.mock.calls[0]![1] as RequestInit;
    expect(init.body).toBe(form);
    expect(init.headers).toEqual({ Accept: 'application/json' });
  });

  it('turns a problem into an error carrying the server’s detail, status and type', async () => {
    vi.stubGlobal('fetch', answer(404, { type: 'about:blank', title: 'Unknown store', status: 404, detail: "There is no store 'x' in 'acme'." }));

    const error = await refusal(getJson('/api/tenants/acme/stores/x/tiles'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.message).toBe("There is no store 'x' in 'acme'.");
    expect(error.type).toBe('about:blank');
    expect(error.isPlanLimit).toBe(false);
  });

  it('uses the title when a problem has no detail', async () => {
    vi.stubGlobal('fetch', answer(403, { title: 'Role too low', status: 403 }));

    expect((await refusal(getJson('/api/x'))).message).toBe('Role too low');
  });

  it('makes a validation problem a ValidationError with each field’s messages', async () => {
    vi.stubGlobal('fetch', answer(400, { title: 'The dashboard is not valid', errors: { name: ['Name the dashboard.'], widgets: ['Too many.'] } }));

    const error = await refusal(send('POST', '/api/tenants/acme/dashboards', { name: '' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors).toEqual({ name: ['Name the dashboard.'], widgets: ['Too many.'] });
    expect(error.message).toBe('Name the dashboard. Too many.');
  });

  it('recognises a plan limit and keeps the problem’s extensions', async () => {
    vi.stubGlobal('fetch', answer(403, { type: PLAN_LIMIT_TYPE, title: 'Plan limit', detail: 'The Starter plan has 1 store.', requiredTier: 'Growth' }));

    const error = await refusal(send('POST', '/api/tenants/acme/stores', {}));
    expect(error.isPlanLimit).toBe(true);
    expect(error.extensions.requiredTier).toBe('Growth');
  });

  it('falls back to the status line when the body is not JSON (a proxy’s error page)', async () => {
    vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>', 'text/html', 'Bad Gateway'));

    const error = await refusal(getJson('/api/stores'));
    expect(error.status).toBe(502);
    expect(error.message).toBe('GET /api/stores answered 502 Bad Gateway');
  });

  it('builds tenant and store-scoped addresses with each segment escaped', () => {
    expect(tenantApi('acme co', 'dashboards')).toBe('/api/tenants/acme%20co/dashboards');
    expect(storeApi({ tenantId: 'acme', storeId: 'uk/shop' }, 'history/summary?period=today')).toBe(
      '/api/tenants/acme/stores/uk%2Fshop/history/summary?period=today',
    );
  });
});
