// REST calls for dashboards, share links and wallboards (src/Web/Dashboards/DashboardsApi.cs).
import { ApiError } from '../../lib/api';
import type { Board, BoardInput, BoardSummary, ShareLink, ShareLinkCreated, WallView } from './types';

/** A 400 answer with the server's per-field messages. */
export class ValidationError extends ApiError {
  constructor(readonly errors: Record<string, string[]>) {
    super(400, Object.values(errors).flat().join(' ') || 'The dashboard is not valid.');
    this.name = 'ValidationError';
  }
}

async function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  let problem: { title?: string; detail?: string; errors?: Record<string, string[]> } = {};
  try {
    problem = (await response.json()) as typeof problem;
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  if (response.status === 400 && problem.errors) throw new ValidationError(problem.errors);
  throw new ApiError(response.status, problem.detail ?? problem.title ?? `${method} ${url} answered ${response.status}`);
}

const boards = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/dashboards`;
const board = (tenantId: string, id: string) => `${boards(tenantId)}/${encodeURIComponent(id)}`;

/** The calls the dashboard pages make; tests pass fakes. */
export interface BoardsApi {
  list(tenantId: string, signal?: AbortSignal): Promise<BoardSummary[]>;
  get(tenantId: string, id: string, signal?: AbortSignal): Promise<Board>;
  create(tenantId: string, input: BoardInput): Promise<Board>;
  save(tenantId: string, id: string, input: BoardInput): Promise<Board>;
  remove(tenantId: string, id: string): Promise<void>;
  duplicate(tenantId: string, id: string): Promise<Board>;
  /** A new wallboard link; with `expiresAt` (ISO 8601) it stops working then. */
  share(tenantId: string, id: string, expiresAt?: string | null): Promise<ShareLinkCreated>;
  shareLinks(tenantId: string, id: string, signal?: AbortSignal): Promise<ShareLink[]>;
  revoke(tenantId: string, id: string, linkId: string): Promise<void>;
  wall(token: string, signal?: AbortSignal): Promise<WallView>;
}

export const boardsApi: BoardsApi = {
  list: (tenantId, signal) => send('GET', boards(tenantId), undefined, signal),
  get: (tenantId, id, signal) => send('GET', board(tenantId, id), undefined, signal),
  create: (tenantId, input) => send('POST', boards(tenantId), input),
  save: (tenantId, id, input) => send('PUT', board(tenantId, id), input),
  remove: (tenantId, id) => send('DELETE', board(tenantId, id)),
  duplicate: (tenantId, id) => send('POST', `${board(tenantId, id)}/duplicate`),
  share: (tenantId, id, expiresAt) => send('POST', `${board(tenantId, id)}/share`, expiresAt ? { expiresAt } : undefined),
  shareLinks: (tenantId, id, signal) => send('GET', `${board(tenantId, id)}/share`, undefined, signal),
  revoke: (tenantId, id, linkId) => send('DELETE', `${board(tenantId, id)}/share/${encodeURIComponent(linkId)}`),
  wall: (token, signal) => send('GET', `/api/wall/${encodeURIComponent(token)}`, undefined, signal),
};
