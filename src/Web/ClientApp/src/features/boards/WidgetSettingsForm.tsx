import { useId } from 'react';
import {
  channels,
  chartTypeLabels,
  comparisonLabels,
  comparisonsFor,
  metricLabels,
  metricsFor,
  normaliseSettings,
  periodLabels,
  periodsFor,
  widgetTitle,
} from './catalogue';
import { CUSTOM_METRIC_PREFIX, customMetricId, type ChartType, type Comparison, type Metric, type Period, type Widget, type WidgetSettings } from './types';

export interface WidgetSettingsFormProps {
  widget: Widget;
  onChange: (widget: Widget) => void;
  onClose: () => void;
  /** The organisation's custom metrics, offered to kpi and chart widgets (src/Web/Metrics). */
  customMetrics?: readonly { id: string; name: string }[];
  /** The organisation's saved goals, offered to a saved-goal widget (src/Web/Goals). */
  goals?: readonly { id: string; name: string }[];
}

/** A widget's settings; every change applies at once and only offers what the server accepts. */
export function WidgetSettingsForm({ widget, onChange, onClose, customMetrics = [], goals = [] }: WidgetSettingsFormProps) {
  const id = useId();
  const { settings, kind } = widget;
  const set = (patch: Partial<WidgetSettings>) => onChange({ ...widget, settings: normaliseSettings(kind, { ...settings, ...patch }) });
  const offersCustom = (kind === 'kpi' || kind === 'chart') && customMetrics.length > 0;
  const custom = customMetricId(settings.metric);
  const pickMetric = (value: string) => {
    const picked = customMetricId(value);
    const name = picked === null ? null : (customMetrics.find((m) => m.id === picked)?.name ?? null);
    // A custom metric names itself: an untitled widget takes the metric's name.
    const settingsNow = normaliseSettings(kind, { ...settings, metric: value as Metric });
    onChange({ ...widget, title: widget.title ?? name, settings: settingsNow });
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="widget-settings">
      <header className="panel__header">
        <h2 id={`${id}-title`}>Settings: {widgetTitle(widget)}</h2>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </header>
      <div className="form-grid">
        <label>
          <span>Title</span>
          <input
            type="text"
            value={widget.title ?? ''}
            maxLength={80}
            placeholder="Automatic"
            onChange={(e) => onChange({ ...widget, title: e.target.value || null })}
          />
        </label>
        <label>
          <span>Metric</span>
          <select value={settings.metric} data-testid="setting-metric" onChange={(e) => pickMetric(e.target.value)}>
            {(custom === null ? metricsFor(kind, settings.period) : metricsFor(kind, kind === 'chart' ? 'last-60-minutes' : 'today')).map((m) => (
              <option key={m} value={m}>
                {metricLabels[m]}
              </option>
            ))}
            {offersCustom || custom !== null ? (
              <optgroup label="Custom metrics">
                {customMetrics.map((m) => (
                  <option key={m.id} value={`${CUSTOM_METRIC_PREFIX}${m.id}`}>
                    {m.name}
                  </option>
                ))}
                {custom !== null && !customMetrics.some((m) => m.id === custom) ? <option value={settings.metric}>Deleted metric</option> : null}
              </optgroup>
            ) : null}
          </select>
        </label>
        <label>
          <span>Period</span>
          <select value={settings.period} data-testid="setting-period" onChange={(e) => set({ period: e.target.value as Period })}>
            {(custom !== null ? (['today'] as Period[]) : periodsFor(kind)).map((p) => (
              <option key={p} value={p}>
                {periodLabels[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Comparison</span>
          <select
            value={settings.comparison}
            data-testid="setting-comparison"
            onChange={(e) => set({ comparison: e.target.value as Comparison })}
          >
            {(custom !== null ? (['none'] as Comparison[]) : comparisonsFor(kind, settings.period)).map((c) => (
              <option key={c} value={c}>
                {comparisonLabels[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Channel</span>
          <select value={settings.channel ?? ''} data-testid="setting-channel" onChange={(e) => set({ channel: e.target.value || null })}>
            <option value="">All channels</option>
            {channels.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        {kind === 'chart' ? (
          <label>
            <span>Chart</span>
            <select
              value={settings.chartType ?? 'bar'}
              data-testid="setting-chart-type"
              onChange={(e) => set({ chartType: e.target.value as ChartType })}
            >
              {(Object.keys(chartTypeLabels) as ChartType[]).map((t) => (
                <option key={t} value={t}>
                  {chartTypeLabels[t]}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {kind === 'saved-goal' ? (
          <label>
            <span>Goal</span>
            <select value={settings.goalId ?? ''} data-testid="setting-goal" onChange={(e) => set({ goalId: e.target.value || null })}>
              <option value="">{goals.length === 0 ? 'No goals yet: set one on the Goals page' : 'Choose a goal'}</option>
              {goals.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {kind === 'goal' ? (
          <>
            <label>
              <span>Target</span>
              <input
                type="number"
                min={1}
                step="any"
                value={settings.target ?? ''}
                data-testid="setting-target"
                onChange={(e) => {
                  const target = Number(e.target.value);
                  // Only positive targets are kept; an empty or zero box leaves the last good one in place.
                  if (Number.isFinite(target) && target > 0) set({ target });
                }}
              />
            </label>
            <label>
              <span>Target name</span>
              <input
                type="text"
                maxLength={60}
                value={settings.targetLabel ?? ''}
                placeholder="e.g. Black Friday target"
                onChange={(e) => set({ targetLabel: e.target.value || null })}
              />
            </label>
          </>
        ) : null}
      </div>
    </section>
  );
}
