import { useState, type FormEvent, type ReactNode } from 'react';
import type { RuleDraft } from '../../lib/alertLinks';
import { ProblemError } from '../../lib/http';
import type { AlertRuleKind, AlertRuleRequest, AlertRuleView, AlertsApi } from './api';
import { StoreSelect } from './StoreSelect';

export type { RuleDraft };

export interface RuleEditorProps {
  tenantId: string;
  stores: { storeId: string; name: string }[];
  /** The plan's feature names (CustomAlerts, AdvancedAnalytics); null while unknown, when nothing is refused here. */
  features: string[] | null;
  /** The rule being edited; absent for a new one. */
  rule?: AlertRuleView | undefined;
  draft?: RuleDraft | undefined;
  api: Pick<AlertsApi, 'createRule' | 'updateRule'>;
  onSaved: (rule: AlertRuleView) => void;
  onCancel: () => void;
}

export const KINDS: { kind: AlertRuleKind; label: string }[] = [
  { kind: 'Threshold', label: 'Above or below a level' },
  { kind: 'PercentChange', label: '% change against an earlier period' },
  { kind: 'Anomaly', label: 'Anomaly (unusual for the time of day)' },
  { kind: 'NoOrders', label: 'No orders for a while' },
];

const METRICS = [
  { value: 'Revenue', label: 'Revenue' },
  { value: 'Orders', label: 'Orders' },
  { value: 'AverageOrderValue', label: 'Average order value' },
  { value: 'ConversionRate', label: 'Conversion rate' },
];

const CHANNELS = ['OnlineStore', 'Shopify', 'WooCommerce', 'Stripe', 'PayPal', 'Amazon'];

/** The plan features a kind needs, as the server's AlertRulePlans says: every rule is a custom alert, anomalies also need advanced analytics. */
export function missingFeature(kind: AlertRuleKind, features: string[] | null): { feature: string; tier: string } | null {
  if (features === null) return null;
  if (kind === 'Anomaly' && !features.includes('AdvancedAnalytics')) return { feature: 'AdvancedAnalytics', tier: 'Scale' };
  if (!features.includes('CustomAlerts')) return { feature: 'CustomAlerts', tier: 'Growth' };
  return null;
}

/** Create or edit one alert rule of any kind; the server's per-field refusals are shown beside their fields. */
export function RuleEditor({ tenantId, stores, features, rule, draft, api, onSaved, onCancel }: RuleEditorProps) {
  const start = rule ?? draft ?? {};
  const [name, setName] = useState(start.name ?? '');
  const [kind, setKind] = useState<AlertRuleKind>(start.kind ?? (missingFeature('Threshold', features) ? 'NoOrders' : 'Threshold'));
  const [metric, setMetric] = useState(start.metric ?? 'Revenue');
  const [storeId, setStoreId] = useState(start.storeId ?? '');
  const [channel, setChannel] = useState(start.channel ?? '');
  const [direction, setDirection] = useState(rule?.direction ?? 'Below');
  const [threshold, setThreshold] = useState(start.threshold != null ? String(start.threshold) : '');
  const [windowMinutes, setWindowMinutes] = useState(String(start.windowMinutes ?? (start.kind === 'NoOrders' ? 60 : 30)));
  const [comparison, setComparison] = useState(rule?.comparison ?? 'LastWeek');
  const [severity, setSeverity] = useState(rule?.minimumSeverity ?? 'Low');
  const [frequency, setFrequency] = useState(String(rule?.frequencyMinutes ?? 60));
  const [recipients, setRecipients] = useState((rule?.recipients ?? []).join(', '));
  const [inApp, setInApp] = useState(rule?.inApp ?? true);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [tradingHours, setTradingHours] = useState(rule?.duringTradingHours ?? false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const gate = missingFeature(kind, features);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body: AlertRuleRequest = {
      name: name.trim(),
      kind,
      metric: kind === 'NoOrders' ? 'Orders' : metric,
      direction,
      // An empty box is "no threshold": the server names the field when the kind needs one.
      threshold: threshold.trim() === '' ? null : Number(threshold),
      windowMinutes: Number(windowMinutes),
      comparison,
      minimumSeverity: severity,
      frequencyMinutes: Number(frequency),
      recipients: recipients
        .split(/[,\s]+/)
        .map((r) => r.trim())
        .filter(Boolean),
      webhookUrl: rule?.webhookUrl ?? null,
      inApp,
      storeId: storeId || null,
      channel: channel || null,
      enabled,
      duringTradingHours: kind === 'NoOrders' && tradingHours,
    };
    setSaving(true);
    setErrors({});
    setMessage(null);
    try {
      onSaved(rule ? await api.updateRule(tenantId, rule.id, body) : await api.createRule(tenantId, body));
    } catch (err) {
      if (err instanceof ProblemError && Object.keys(err.errors).length > 0) setErrors(err.errors);
      setMessage((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const field = (key: string, label: string, control: ReactNode) => (
    <div className="rule-editor__field">
      <label>
        {label} {control}
      </label>
      {errors[key] ? (
        <span className="rule-editor__error" role="alert" data-testid={`rule-error-${key}`}>
          {errors[key].join(' ')}
        </span>
      ) : null}
    </div>
  );

  return (
    <form className="rule-editor" onSubmit={save} aria-label={rule ? `Edit rule ${rule.name}` : 'New alert rule'} data-testid="rule-editor">
      <h3>{rule ? `Edit "${rule.name}"` : 'New alert rule'}</h3>
      {field('name', 'Name', <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />)}
      {field(
        'kind',
        'When',
        <select value={kind} onChange={(e) => setKind(e.target.value as AlertRuleKind)}>
          {KINDS.map((k) => {
            const needs = missingFeature(k.kind, features);
            return (
              <option key={k.kind} value={k.kind} disabled={needs !== null && k.kind !== rule?.kind}>
                {k.label}
                {needs ? ` (needs the ${needs.tier} plan)` : ''}
              </option>
            );
          })}
        </select>,
      )}
      {gate ? (
        <p className="rule-editor__plan" data-testid="rule-plan-gate">
          {kind === 'Anomaly' ? 'Anomaly rules' : 'Custom alert rules'} need the {gate.tier} plan; this rule cannot be saved on your plan.
        </p>
      ) : null}
      {field(
        'storeId',
        'Store',
        <StoreSelect stores={stores} value={storeId} onChange={setStoreId} everyStore="every store" />,
      )}
      {field(
        'channel',
        'Channel',
        <select value={channel} onChange={(e) => setChannel(e.target.value)}>
          <option value="">all channels</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>,
      )}
      {kind !== 'NoOrders'
        ? field(
            'metric',
            'Metric',
            <select value={metric} onChange={(e) => setMetric(e.target.value)}>
              {METRICS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>,
          )
        : null}
      {kind !== 'NoOrders' && kind !== 'PercentChange'
        ? field(
            'direction',
            'Direction',
            <select value={direction} onChange={(e) => setDirection(e.target.value)}>
              <option value="Below">below</option>
              <option value="Above">above</option>
              {kind === 'Anomaly' ? <option value="Either">either way</option> : null}
            </select>,
          )
        : null}
      {kind === 'Threshold' || kind === 'PercentChange'
        ? field(
            'threshold',
            kind === 'Threshold' ? 'Level' : 'Change (%)',
            <input type="number" step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} />,
          )
        : null}
      {kind === 'PercentChange'
        ? field(
            'comparison',
            'Compared with',
            <select value={comparison} onChange={(e) => setComparison(e.target.value)}>
              <option value="LastWeek">last week</option>
              <option value="Yesterday">yesterday</option>
            </select>,
          )
        : null}
      {kind === 'Anomaly'
        ? field(
            'minimumSeverity',
            'At least',
            <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
              <option value="Low">low severity</option>
              <option value="Medium">medium severity</option>
              <option value="High">high severity</option>
            </select>,
          )
        : null}
      {kind !== 'Anomaly'
        ? field(
            'windowMinutes',
            kind === 'NoOrders' ? 'Minutes without an order' : 'Over the last (minutes)',
            <input type="number" value={windowMinutes} onChange={(e) => setWindowMinutes(e.target.value)} />,
          )
        : null}
      {kind === 'NoOrders' ? (
        <label>
          <input type="checkbox" checked={tradingHours} onChange={(e) => setTradingHours(e.target.checked)} /> Only during the store&apos;s trading hours
        </label>
      ) : null}
      {field('frequencyMinutes', 'At most one alert every (minutes)', <input type="number" value={frequency} onChange={(e) => setFrequency(e.target.value)} />)}
      {field('recipients', 'E-mail to', <input value={recipients} onChange={(e) => setRecipients(e.target.value)} placeholder="ops@example.com" />)}
      {Object.keys(errors)
        .filter((k) => k.startsWith('recipients['))
        .map((k) => (
          <span key={k} className="rule-editor__error" role="alert" data-testid={`rule-error-${k}`}>
            {k}: {errors[k]?.join(' ')}
          </span>
        ))}
      <label>
        <input type="checkbox" checked={inApp} onChange={(e) => setInApp(e.target.checked)} /> Show a toast in the app
      </label>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {message ? <p role="alert">{message}</p> : null}
      <div>
        <button type="submit" disabled={saving || gate !== null}>
          Save rule
        </button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
