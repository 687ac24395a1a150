// Shapes of /api/tenants/{tenantId}/goals (src/Web/Goals/GoalsApi.cs).

export type GoalMetric = 'Revenue' | 'Orders';
export type GoalPeriod = 'Day' | 'Week' | 'Month' | 'Custom';
export type PaceMethod = 'Linear' | 'HourlyProfile';
export type GoalStatus = 'NotStarted' | 'OnPace' | 'Behind' | 'Met' | 'Missed';

export interface Goal {
  id: string;
  tenantId: string;
  storeId: string | null;
  name: string;
  metric: GoalMetric;
  target: number;
  period: GoalPeriod;
  from: string | null;
  to: string | null;
  pace: PaceMethod;
  alertWhenBehind: boolean;
  createdAt: string;
}

export interface GoalProgress {
  achieved: number;
  target: number;
  progressRatio: number;
  expectedFraction: number;
  projected: number | null;
  status: GoalStatus;
  method: PaceMethod;
  startsAt: string;
  endsAt: string;
}

export interface GoalView {
  goal: Goal;
  currency: string | null;
  timeZone: string;
  progress: GoalProgress | null;
  sentence: string;
  note: string | null;
}

export interface GoalRequest {
  name: string;
  metric: 'revenue' | 'orders';
  target: number;
  period: 'day' | 'week' | 'month' | 'custom';
  from?: string;
  to?: string;
  storeId?: string;
  pace: 'linear' | 'hourly-profile';
  alertWhenBehind: boolean;
}
