// REST calls for dashboards, share links and wallboards (src/Web/Dashboards/DashboardsApi.cs).
import { send } from '../../lib/http';
import type { Board, BoardInput, BoardSummary, ShareLink, ShareLinkCreated, WallView } from './types';

export { ValidationError } from '../../lib/http';

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
