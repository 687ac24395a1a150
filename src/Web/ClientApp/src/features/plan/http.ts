// The settings pages' JSON calls now go through lib/http; kept so existing imports of this file still resolve.
export { PLAN_LIMIT_TYPE, ProblemError, send, tenantApi } from '../../lib/http';
