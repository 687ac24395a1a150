import { useEffect, useState } from 'react';
import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { newestMinute } from './historyFigures';
import { SETTLE_DELAYS_MS } from './useStoreAnswers';
import { useWidgetData, type GoalBody } from './widgetData';

export interface GoalWidgetView {
  name: string;
  /** 0..100, for the bar; capped at 100 once the goal is met. */
  percent: number;
  achievedText: string;
  sentence: string;
  status: string;
  note: string | null;
}

function figure(value: number, body: GoalBody): string {
  return body.goal.metric === 'Revenue'
    ? `${value.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${body.currency ? ` ${body.currency}` : ''}`
    : `${value.toLocaleString('en-GB', { maximumFractionDigits: 0 })} orders`;
}

/** What the widget shows for a goal: the bar, "achieved of target", and the server's pace sentence. */
export function goalWidgetView(body: GoalBody): GoalWidgetView {
  const p = body.progress;
  return {
    name: body.goal.name,
    percent: p ? Math.min(100, Math.round(p.progressRatio * 1000) / 10) : 0,
    achievedText: p ? `${figure(p.achieved, body)} of ${figure(p.target, body)}` : 'No figures',
    sentence: body.sentence,
    status: p?.status ?? 'Unknown',
    note: body.note,
  };
}

/**
 * A goal from the Goals page with its progress and pace, bound by id. Read again whenever the board's live tiles
 * move (an order came in) or reach a new minute (pace moves with the clock), and once more as history settles.
 */
export function SavedGoalWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const source = useWidgetData();
  const goalId = widget.settings.goalId ?? null;
  const tenantId = entries[0]?.store.tenantId ?? null;
  const trigger = `${newestMinute(entries.map((e) => e.tiles.asOf))}#${entries.reduce((sum, e) => sum + e.tiles.eventsApplied, 0)}`;
  const [state, setState] = useState<{ body: GoalBody | null; error: string | null; loaded: boolean }>({ body: null, error: null, loaded: false });

  useEffect(() => {
    if (!goalId || !tenantId || !source.goal) return;
    const load = source.goal;
    const controller = new AbortController();
    const read = () =>
      load(tenantId, goalId, controller.signal).then(
        (body) => setState({ body, error: null, loaded: true }),
        (error: unknown) => {
          if (controller.signal.aborted) return;
          // The last good figures stay on screen beside the reason.
          setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : String(error), loaded: true }));
        },
      );
    void read();
    const again = SETTLE_DELAYS_MS.map((delay) => setTimeout(() => void read(), delay));
    return () => {
      again.forEach(clearTimeout);
      controller.abort();
    };
  }, [source, tenantId, goalId, trigger]);

  if (!goalId) return <p className="widget__empty">Choose a goal in the widget’s settings.</p>;
  if (!state.loaded) return <p className="widget__empty">Loading the goal…</p>;
  if (!state.body) return <p className="widget__empty">Could not load the goal: {state.error}</p>;
  const view = goalWidgetView(state.body);
  return (
    <div className="saved-goal" data-testid={`widget-${widget.id}-saved-goal`} data-status={view.status}>
      <p className="saved-goal__name">{view.name}</p>
      <div
        className="goal__bar"
        role="progressbar"
        aria-label={view.name}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.percent}
        data-testid={`widget-${widget.id}-progress`}
      >
        <span style={{ width: `${view.percent}%` }} />
      </div>
      <p className="saved-goal__achieved">{view.achievedText}</p>
      <p className="saved-goal__sentence" data-testid={`widget-${widget.id}-sentence`}>
        {view.sentence}
      </p>
      {view.note ? <p className="widget__empty">{view.note}</p> : null}
      {state.error ? <p className="widget__empty">Could not refresh: {state.error}</p> : null}
    </div>
  );
}
