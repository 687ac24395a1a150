import { useCallback, useId, useState, type FormEvent } from 'react';
import type { StoreSummary } from '../../lib/types';
import { ValidationError } from '../../lib/http';
import { errorText, useReload } from '../../lib/useReload';
import { goalsApi } from './api';
import { barOf, emptyGoalDraft, paceNote, requestOf, statusLabels, type GoalDraft } from './goalForm';
import type { GoalView } from './types';
import './goals.css';

export interface GoalsPageProps {
  tenantId: string;
  /** The organisation's stores, or null while they load. */
  stores: readonly StoreSummary[] | null;
}

/** An organisation's goals: progress against each target, the pace sentence, and a form to set a new one. */
export function GoalsPage({ tenantId, stores }: GoalsPageProps) {
  const [draft, setDraft] = useState<GoalDraft>(emptyGoalDraft);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const own = (stores ?? []).filter((s) => s.tenantId === tenantId);
  const formId = useId();

  // Progress moves with every order; a minute matches the pace check's own grain.
  const { data: goals, error, setError, reload } = useReload<GoalView[]>(
    useCallback(() => goalsApi.list(tenantId), [tenantId]),
    60_000,
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await goalsApi.create(tenantId, requestOf(draft));
      setDraft(emptyGoalDraft);
      setFieldErrors({});
      await reload();
    } catch (err) {
      if (err instanceof ValidationError) setFieldErrors(err.errors ?? {});
      else setError(errorText(err));
    }
  };

  const remove = async (id: string) => {
    await goalsApi.remove(tenantId, id);
    await reload();
  };

  const set = <K extends keyof GoalDraft>(key: K, value: GoalDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const problem = (field: string) =>
    fieldErrors[field] ? (
      <span className="goals__error" role="alert">
        {fieldErrors[field]!.join(' ')}
      </span>
    ) : null;

  return (
    <main className="goals" aria-labelledby={`${formId}-title`}>
      <h1 id={`${formId}-title`}>Goals</h1>
      {error ? <p role="alert">{error}</p> : null}
      {goals === null ? <p>Loading…</p> : goals.length === 0 ? <p>No goals yet. Set one below.</p> : null}
      <ul className="goals__list">
        {(goals ?? []).map((view) => {
          const bar = barOf(view);
          const store = own.find((s) => s.storeId === view.goal.storeId);
          return (
            <li key={view.goal.id} className="goals__card" data-testid={`goal-${view.goal.name}`} data-status={view.progress?.status ?? 'unknown'}>
              <header>
                <h2>{view.goal.name}</h2>
                <span className="goals__scope">
                  {store ? store.name : view.goal.storeId ?? 'Whole organisation'} · {view.goal.period.toLowerCase()}
                </span>
                {view.progress ? <span className={`goals__status goals__status--${view.progress.status}`}>{statusLabels[view.progress.status]}</span> : null}
              </header>
              {bar ? (
                <div className="goals__bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={bar.filled} aria-label={`${view.goal.name} progress`}>
                  <div className="goals__fill" style={{ width: `${bar.filled}%` }} />
                  <div className="goals__expected" style={{ left: `${bar.expected}%` }} title="Where the pace expects you to be now" />
                </div>
              ) : null}
              <p className="goals__sentence" data-testid="goal-sentence">
                {view.sentence}
              </p>
              {paceNote(view) ? <p className="goals__note">{paceNote(view)}</p> : null}
              {view.note ? <p className="goals__note">{view.note}</p> : null}
              <button type="button" className="link-button" onClick={() => void remove(view.goal.id)}>
                Delete {view.goal.name}
              </button>
            </li>
          );
        })}
      </ul>

      <form className="goals__form" onSubmit={(e) => void submit(e)} aria-label="New goal">
        <h2>New goal</h2>
        <label>
          Name <input value={draft.name} onChange={(e) => set('name', e.target.value)} />
          {problem('name')}
        </label>
        <label>
          Metric
          <select value={draft.metric} onChange={(e) => set('metric', e.target.value as GoalDraft['metric'])}>
            <option value="revenue">Revenue</option>
            <option value="orders">Orders</option>
          </select>
          {problem('metric')}
        </label>
        <label>
          Target <input inputMode="decimal" value={draft.target} onChange={(e) => set('target', e.target.value)} />
          {problem('target')}
        </label>
        <label>
          Period
          <select value={draft.period} onChange={(e) => set('period', e.target.value as GoalDraft['period'])}>
            <option value="day">Day</option>
            <option value="week">Week (Monday to Sunday)</option>
            <option value="month">Month</option>
            <option value="custom">Custom dates (a sale)</option>
          </select>
          {problem('period')}
        </label>
        {draft.period === 'custom' ? (
          <>
            <label>
              From <input type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} />
              {problem('from')}
            </label>
            <label>
              To <input type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} />
              {problem('to')}
            </label>
          </>
        ) : null}
        <label>
          Store
          <select value={draft.storeId} onChange={(e) => set('storeId', e.target.value)}>
            <option value="">Whole organisation</option>
            {own.map((s) => (
              <option key={s.storeId} value={s.storeId}>
                {s.name}
              </option>
            ))}
          </select>
          {problem('storeId')}
        </label>
        <label>
          Pace
          <select value={draft.pace} onChange={(e) => set('pace', e.target.value as GoalDraft['pace'])}>
            <option value="hourly-profile">By trading hours (hourly profile)</option>
            <option value="linear">Linear</option>
          </select>
          {problem('pace')}
        </label>
        <label className="goals__check">
          <input type="checkbox" checked={draft.alertWhenBehind} onChange={(e) => set('alertWhenBehind', e.target.checked)} /> Alert me when it falls behind
          {problem('alertWhenBehind')}
        </label>
        <button type="submit">Set goal</button>
      </form>
    </main>
  );
}
