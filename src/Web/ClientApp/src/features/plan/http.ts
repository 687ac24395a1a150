// JSON calls of the organisation settings pages (plan, branding, custom metrics, audit), with problem+json errors kept.
import { ApiError } from '../../lib/api';

/** A refused call: the server's sentence, its per-field messages and (for formulas) where in the text each mistake is. */
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

export const PLAN_LIMIT_TYPE = 'https://salesdash.dev/problems/plan-limit';

export async function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  let problem: Record<string, unknown> = {};
  try {
    problem = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  const errors = (problem.errors as Record<string, string[]> | undefined) ?? {};
  const message =
    (problem.detail as string | undefined) ??
    (Object.values(errors).flat().join(' ') || (problem.title as string | undefined) || `${method} ${url} answered ${response.status}`);
  throw new ProblemError(response.status, message, (problem.type as string | undefined) ?? null, errors, problem);
}

export const tenantApi = (tenantId: string, rest: string) => `/api/tenants/${encodeURIComponent(tenantId)}/${rest}`;
