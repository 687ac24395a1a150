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
  /** While set and in the future, nobody is told about this alert; a reminder follows if it is still open then. */
  snoozedUntil?: string | null;
}

/** A pause; storeId null is the whole organisation. */
export interface AlertPause { tenantId: string; storeId: string | null; until: string; reason: string | null }

export type AlertRuleKind = 'Threshold' | 'PercentChange' | 'Anomaly' | 'NoOrders';

/** The fields a rule is made of, the same whether the server shows it or the editor sends it. */
interface AlertRuleFields {
  name: string;
  kind: AlertRuleKind;
  metric: string;
  direction: string;
  threshold: number | null;
  windowMinutes: number;
  comparison: string;
  minimumSeverity: string;
  frequencyMinutes: number;
  recipients: string[];
  webhookUrl: string | null;
  inApp: boolean;
  storeId: string | null;
  channel: string | null;
  enabled: boolean;
}

/** A rule as the server shows it (src/Web/Alerts/AlertViews.cs); pausedReason says why the plan keeps it from running. */
export interface AlertRuleView extends AlertRuleFields {
  id: string;
  tenantId: string;
  quietHours: { start: string; end: string } | null;
  customMetricId?: string | null;
  pausedReason?: string | null;
  cannotEvaluate?: string | null;
  /** A no-orders rule that counts silence only while the store trades. */
  duringTradingHours?: boolean;
}

/** What the editor sends; the server validates every field and names the one that is wrong. */
export interface AlertRuleRequest extends AlertRuleFields {
  duringTradingHours: boolean;
}

/** A store's trading hours, store-local HH:mm in its own time zone. */
export interface TradingHoursView { opens: string; closes: string; timeZone: string }

export const alertsApi = {
  rules: (t: string, signal?: AbortSignal) => getJson<AlertRuleView[]>(tenantApi(t, 'alert-rules'), signal),
  createRule: (t: string, body: AlertRuleRequest) => send<AlertRuleView>('POST', tenantApi(t, 'alert-rules'), body),
  updateRule: (t: string, id: string, body: AlertRuleRequest) => send<AlertRuleView>('PUT', tenantApi(t, `alert-rules/${encodeURIComponent(id)}`), body),
  deleteRule: (t: string, id: string) => send<void>('DELETE', tenantApi(t, `alert-rules/${encodeURIComponent(id)}`)),
  tradingHours: (t: string, storeId: string, signal?: AbortSignal) =>
    getJson<TradingHoursView>(tenantApi(t, `stores/${encodeURIComponent(storeId)}/trading-hours`), signal),
  setTradingHours: (t: string, storeId: string, body: { opens: string; closes: string }) =>
    send<TradingHoursView>('PUT', tenantApi(t, `stores/${encodeURIComponent(storeId)}/trading-hours`), body),
  /** The plan's features, so the editor says which kinds the plan allows before anyone presses Save. */
  planFeatures: (t: string, signal?: AbortSignal) => getJson<{ limits: { tier: string; features: string[] } }>(tenantApi(t, 'plan'), signal).then((p) => p.limits),
  list: (t: string, signal?: AbortSignal) => getJson<AlertView[]>(tenantApi(t, 'alerts'), signal),
  snooze: (t: string, id: string, until: string) => send<AlertView>('POST', tenantApi(t, `alerts/${encodeURIComponent(id)}/snooze`), { until }),
  unsnooze: (t: string, id: string) => send<void>('DELETE', tenantApi(t, `alerts/${encodeURIComponent(id)}/snooze`)),
  acknowledge: (t: string, id: string) => send<AlertView>('POST', tenantApi(t, `alerts/${encodeURIComponent(id)}/acknowledge`), {}),
  pauses: (t: string, signal?: AbortSignal) => getJson<AlertPause[]>(tenantApi(t, 'alert-pauses'), signal),
  pause: (t: string, body: { storeId: string | null; until: string; reason: string | null }) => send<AlertPause>('PUT', tenantApi(t, 'alert-pauses'), body),
  resume: (t: string, storeId: string | null) =>
    send<void>('DELETE', tenantApi(t, `alert-pauses${storeId ? `?storeId=${encodeURIComponent(storeId)}` : ''}`)),
};

export type AlertsApi = typeof alertsApi;
