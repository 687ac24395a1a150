// The goal form's draft and what the goal cards print; pure, so both are unit tested.
import type { GoalRequest, GoalStatus, GoalView } from './types';

export interface GoalDraft {
  name: string;
  metric: GoalRequest['metric'];
  target: string;
  period: GoalRequest['period'];
  from: string;
  to: string;
  /** '' for the whole organisation. */
  storeId: string;
  pace: GoalRequest['pace'];
  alertWhenBehind: boolean;
}

export const emptyGoalDraft: GoalDraft = {
  name: '',
  metric: 'revenue',
  target: '',
  period: 'day',
  from: '',
  to: '',
  storeId: '',
  pace: 'hourly-profile',
  alertWhenBehind: false,
};

/** The request a draft sends; the server checks every field and answers with reasons, so nothing is dropped here. */
export function requestOf(draft: GoalDraft): GoalRequest {
  const custom = draft.period === 'custom';
  return {
    name: draft.name.trim(),
    metric: draft.metric,
    target: Number(draft.target),
    period: draft.period,
    ...(custom && draft.from ? { from: draft.from } : {}),
    ...(custom && draft.to ? { to: draft.to } : {}),
    ...(draft.storeId ? { storeId: draft.storeId } : {}),
    pace: draft.pace,
    alertWhenBehind: draft.alertWhenBehind,
  };
}

export const statusLabels: Record<GoalStatus, string> = {
  NotStarted: 'Not started',
  OnPace: 'On pace',
  Behind: 'Behind',
  Met: 'Met',
  Missed: 'Missed',
};

/** How far the bar is filled (0..100) and where the pace marker sits (0..100), both capped to the bar. */
export function barOf(view: GoalView): { filled: number; expected: number } | null {
  const p = view.progress;
  if (!p) return null;
  const clamp = (v: number) => Math.max(0, Math.min(100, Math.round(v * 1000) / 10));
  return { filled: clamp(p.progressRatio), expected: clamp(p.expectedFraction) };
}

/** "Pace from the store's trading hours" or "Pace: linear", so the number says how it was worked out. */
export function paceNote(view: GoalView): string | null {
  if (!view.progress) return null;
  const asked = view.goal.pace;
  if (view.progress.method === 'HourlyProfile') return 'Pace from the store’s hourly profile (last 4 weeks).';
  return asked === 'HourlyProfile' ? 'Pace: linear (no trading history to profile yet).' : 'Pace: linear over the period.';
}
