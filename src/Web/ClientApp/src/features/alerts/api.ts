// Calls to /api/tenants/{t}/alerts and /alert-pauses (src/Web/Alerts).
import { getJson, send, tenantApi } from '../../lib/http';

export type AlertStatus = 'Firing' | 'Acknowledged' | 'Resolved';

export interface AlertView {
  id: string;
  tenantId: string;
  storeId: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  status: AlertStatus;
  firedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  message: string;
}

/** A pause; storeId null is the whole organisation. */
export interface AlertPause { tenantId: string; storeId: string | null; until: string; reason: string | null }

export const alertsApi = {
  list: (t: string, signal?: AbortSignal) => getJson<AlertView[]>(tenantApi(t, 'alerts'), signal),
  acknowledge: (t: string, id: string) => send<AlertView>('POST', tenantApi(t, `alerts/${encodeURIComponent(id)}/acknowledge`), {}),
  pauses: (t: string, signal?: AbortSignal) => getJson<AlertPause[]>(tenantApi(t, 'alert-pauses'), signal),
  pause: (t: string, body: { storeId: string | null; until: string; reason: string | null }) => send<AlertPause>('PUT', tenantApi(t, 'alert-pauses'), body),
  resume: (t: string, storeId: string | null) =>
    send<void>('DELETE', tenantApi(t, `alert-pauses${storeId ? `?storeId=${encodeURIComponent(storeId)}` : ''}`)),
};

export type AlertsApi = typeof alertsApi;
