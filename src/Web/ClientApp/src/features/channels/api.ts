// Calls to the store-scoped /api/tenants/{t}/stores/{s}/channels (and /shipments). Errors carry the server's problem+json detail, so the form can show why a save was refused.
import { storeApi } from '../../lib/http';
import type { ChannelCatalogEntry, ChannelConnectionRequest, ChannelConnectionView, ChannelSyncStatus, ConnectionCheck, ShipmentsResponse } from './types';

/** A refused call with the server's explanation and, for validation problems, the message per field. */
export class ChannelApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'ChannelApiError';
  }
}

function base(tenantId: string, storeId: string, channel?: string): string {
  return storeApi({ tenantId, storeId }, channel ? `channels/${encodeURIComponent(channel)}` : 'channels');
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}) } });
  if (!response.ok) {
    let message = `${init.method ?? 'GET'} ${url} answered ${response.status}`;
    let fieldErrors: Record<string, string[]> = {};
    try {
      const problem = (await response.json()) as { title?: string; detail?: string; errors?: Record<string, string[]> };
      message = problem.detail ?? problem.title ?? message;
      fieldErrors = problem.errors ?? {};
    } catch {
      // Not problem+json: the status line is all there is to say.
    }
    throw new ChannelApiError(response.status, message, fieldErrors);
  }
  return (await response.json()) as T;
}

export const channelsApi = {
  catalog: (signal?: AbortSignal) => call<ChannelCatalogEntry[]>('/api/channels/catalog', signal ? { signal } : {}),
  list: (tenantId: string, storeId: string, signal?: AbortSignal) =>
    call<ChannelConnectionView[]>(base(tenantId, storeId), signal ? { signal } : {}),
  save: (tenantId: string, storeId: string, channel: string, request: ChannelConnectionRequest) =>
    call<ChannelConnectionView>(base(tenantId, storeId, channel), { method: 'PUT', body: JSON.stringify(request) }),
  test: (tenantId: string, storeId: string, channel: string) =>
    call<ConnectionCheck>(`${base(tenantId, storeId, channel)}/test`, { method: 'POST' }),
  sync: (tenantId: string, storeId: string, channel: string) =>
    call<ChannelSyncStatus>(`${base(tenantId, storeId, channel)}/sync`, { method: 'POST' }),
  status: (tenantId: string, storeId: string, channel: string, signal?: AbortSignal) =>
    call<ChannelSyncStatus>(`${base(tenantId, storeId, channel)}/status`, signal ? { signal } : {}),
  shipments: (tenantId: string, storeId: string, period: string, signal?: AbortSignal) =>
    call<ShipmentsResponse>(`${storeApi({ tenantId, storeId }, 'shipments')}?period=${encodeURIComponent(period)}`, signal ? { signal } : {}),
};

export type ChannelsApi = typeof channelsApi;
