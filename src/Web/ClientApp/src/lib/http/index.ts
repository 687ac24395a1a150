// Typed fetch for the whole app: JSON in and out, and every refusal turned into one error type carrying the
// server's problem+json (RFC 9457) words, so pages show "There is no store 'x' in 'acme'." instead of "404".

/** A non-2xx answer, kept with its status so the page can say what went wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A refused call: the server's sentence, its per-field messages and any extensions (e.g. where in a formula). */
export class ProblemError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly type: string | null,
    readonly errors: Record<string, string[]>,
    readonly extensions: Record<string, unknown>,
  ) {
    super(status, message);
    this.name = 'ProblemError';
  }

  /** True when the plan, not the role or the input, refused: the page shows the upgrade message. */
  get isPlanLimit(): boolean {
    return this.type === PLAN_LIMIT_TYPE;
  }
}

/** A 400 answer with per-field messages (ASP.NET's ValidationProblem); forms show each beside its field. */
export class ValidationError extends ProblemError {
  constructor(errors: Record<string, string[]>, extensions: Record<string, unknown> = {}, type: string | null = null, detail?: string) {
    super(400, detail ?? (Object.values(errors).flat().join(' ') || 'The input is not valid.'), type, errors, extensions);
    this.name = 'ValidationError';
  }
}

export const PLAN_LIMIT_TYPE = 'https://salesdash.dev/problems/plan-limit';

/**
 * The error a refused response stands for: the problem's detail, else its field messages, else its title, else the
 * status line. A body that is not JSON (a proxy's error page) still gives a useful message.
 */
export async function problemFrom(response: Response, what: string): Promise<ProblemError> {
  let problem: Record<string, unknown> = {};
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && !Array.isArray(body)) problem = body as Record<string, unknown>;
  } catch {
    // Not JSON: the status line is all there is.
  }
  const errors = isErrors(problem.errors) ? problem.errors : {};
  const type = typeof problem.type === 'string' ? problem.type : null;
  if (response.status === 400 && Object.keys(errors).length > 0) return new ValidationError(errors, problem, type, text(problem.detail));
  const message =
    text(problem.detail) ??
    (Object.values(errors).flat().join(' ') || text(problem.title) || `${what} answered ${response.status} ${response.statusText}`.trim());
  return new ProblemError(response.status, message, type, errors, problem);
}

export interface RequestOptions {
  /** Sent as JSON, or as is when it is FormData (uploads). */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** One call: JSON back (undefined for 204), or a ProblemError. */
export async function request<T>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const { body, signal } = options;
  const form = typeof FormData !== 'undefined' && body instanceof FormData;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: form ? (body as FormData) : JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await problemFrom(response, `${method} ${url}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', url, { signal });
}

export function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(method, url, { body, signal });
}

const segment = encodeURIComponent;

/** /api/tenants/{tenantId}/{rest}: everything an organisation owns. */
export const tenantApi = (tenantId: string, rest: string) => `/api/tenants/${segment(tenantId)}/${rest}`;

/** /api/tenants/{tenantId}/stores/{storeId}/{rest}: the store-scoped routes (tiles, history, forecast, ...). */
export const storeApi = (store: { tenantId: string; storeId: string }, rest: string) =>
  `/api/tenants/${segment(store.tenantId)}/stores/${segment(store.storeId)}/${rest}`;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isErrors(value: unknown): value is Record<string, string[]> {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => Array.isArray(v));
}
