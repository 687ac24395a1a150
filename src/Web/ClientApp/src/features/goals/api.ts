// Calls to /api/tenants/{tenantId}/goals (src/Web/Goals/GoalsApi.cs).
import { send } from '../../lib/http';
import type { GoalRequest, GoalView } from './types';

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/goals`;

export const goalsApi = {
  list: (tenantId: string, signal?: AbortSignal) => send<GoalView[]>('GET', base(tenantId), undefined, signal),
  create: (tenantId: string, input: GoalRequest) => send<GoalView>('POST', base(tenantId), input),
  remove: (tenantId: string, id: string) => send<void>('DELETE', `${base(tenantId)}/${encodeURIComponent(id)}`),
};
