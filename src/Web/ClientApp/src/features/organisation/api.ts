// The organisation's settings, members, invitations, API keys and stores (see src/Web/Identity).
import { send } from '../../lib/http';

export type Role = 'Viewer' | 'Analyst' | 'Admin' | 'Owner';
export const roles: Role[] = ['Viewer', 'Analyst', 'Admin', 'Owner'];

export interface Member { userId: string; email: string; displayName: string; role: Role; joinedAt: string }
export interface Invitation { id: string; email: string; role: Role; status: string; createdAt: string; expiresAt: string }
export interface InvitationCreated { id: string; email: string; role: Role; expiresAt: string; emailed: boolean; acceptUrl: string | null }
export interface ApiKey { id: string; name: string; prefix: string; scopes: string[]; createdBy: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }
export interface ApiKeyCreated { id: string; name: string; prefix: string; scopes: string[]; createdAt: string; key: string }
/** disconnectedAt: when an Admin disconnected the store (it takes no data until reconnected); null while connected. */
export interface StoreInfo { tenantId: string; storeId: string; name: string; channel: string; currency: string; timeZone: string; disconnectedAt?: string | null }
export interface ReconnectedStore { tenantId: string; storeId: string; webhookSecret: string | null }
export interface StoreDeletion { tenantId: string; storeId: string; name: string; deletedAt: string; deletedBy: string | null; appRows: number; journalRows: number }
export interface RotatedSecret { tenantId: string; storeId: string; webhookSecret: string; previousSecretAcceptedUntil: string }
export interface Organisation { id: string; name: string; timeZone: string; reportingCurrency: string; plan: string; role: Role | null }

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

export const organisationApi = {
  get: (t: string) => send<Organisation>('GET', base(t)),
  update: (t: string, body: { name: string; timeZone: string; reportingCurrency: string }) => send<Organisation>('PUT', base(t), body),
  members: (t: string) => send<Member[]>('GET', `${base(t)}/members`),
  changeRole: (t: string, userId: string, role: Role) => send<Member>('PUT', `${base(t)}/members/${encodeURIComponent(userId)}`, { role }),
  removeMember: (t: string, userId: string) => send<void>('DELETE', `${base(t)}/members/${encodeURIComponent(userId)}`),
  invitations: (t: string) => send<Invitation[]>('GET', `${base(t)}/invitations`),
  invite: (t: string, email: string, role: Role) => send<InvitationCreated>('POST', `${base(t)}/invitations`, { email, role }),
  revokeInvitation: (t: string, id: string) => send<void>('DELETE', `${base(t)}/invitations/${id}`),
  apiKeys: (t: string) => send<ApiKey[]>('GET', `${base(t)}/api-keys`),
  createApiKey: (t: string, name: string, scopes: string[]) => send<ApiKeyCreated>('POST', `${base(t)}/api-keys`, { name, scopes }),
  revokeApiKey: (t: string, id: string) => send<void>('DELETE', `${base(t)}/api-keys/${id}`),
  createStore: (t: string, body: { name: string; shopDomain: string; currency: string; timeZone: string; webhookSecret: string; channel: string }) =>
    send<{ tenantId: string; storeId: string }>('POST', `${base(t)}/stores`, body),
  stores: async (t: string) => (await send<StoreInfo[]>('GET', '/api/stores')).filter((s) => s.tenantId === t),
  updateStore: (t: string, storeId: string, body: { name?: string; timeZone?: string; currency?: string }) =>
    send<StoreInfo>('PATCH', `${base(t)}/stores/${encodeURIComponent(storeId)}`, body),
  disconnectStore: (t: string, storeId: string) => send<StoreInfo>('POST', `${base(t)}/stores/${encodeURIComponent(storeId)}/disconnect`),
  reconnectStore: (t: string, storeId: string) => send<ReconnectedStore>('POST', `${base(t)}/stores/${encodeURIComponent(storeId)}/reconnect`),
  /** The server deletes only when `name` is the store's exact name. */
  deleteStore: (t: string, storeId: string, name: string) => send<StoreDeletion>('DELETE', `${base(t)}/stores/${encodeURIComponent(storeId)}`, { name }),
  rotateWebhookSecret: (t: string, storeId: string) =>
    send<RotatedSecret>('POST', `${base(t)}/stores/${encodeURIComponent(storeId)}/webhook-secret/rotate`),
};
