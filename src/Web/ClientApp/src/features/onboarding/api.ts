// Calls to /api/tenants/{t}/onboarding and the store creation the manual Shopify path ends with (src/Web/Onboarding).
import { getJson, send, tenantApi } from '../../lib/http';

export type StepId = 'sign-up' | 'connect-channel' | 'choose-tracking' | 'pick-template' | 'live';

export interface OnboardingStep { id: StepId; title: string; done: boolean; detail: string }
export interface DashboardTemplate { id: string; name: string; description: string }
export interface OnboardingChecklist {
  tenantId: string;
  steps: OnboardingStep[];
  next: StepId | null;
  complete: boolean;
  trackedMetrics: string[];
  templateId: string | null;
  dashboardId: string | null;
  metricChoices: string[];
  templates: DashboardTemplate[];
}
export interface ShopifyInstallation { tenantId: string; storeId: string; shopDomain: string; scopes: string; installedAt: string; uninstalledAt: string | null }
export interface OnboardingView { checklist: OnboardingChecklist; shopifyInstallations: ShopifyInstallation[]; shopifyAppAvailable: boolean }
export interface ShopifyManualSetup { webhookUrl: string; topics: string[]; webhookSecret: string }
export interface ManualStore { name: string; shopDomain: string; currency: string; timeZone: string; webhookSecret: string }

const onboarding = (t: string, rest = '') => tenantApi(t, `onboarding${rest}`);

export const onboardingApi = {
  get: (t: string, signal?: AbortSignal) => getJson<OnboardingView>(onboarding(t), signal),
  track: (t: string, metrics: string[]) => send<OnboardingView>('PUT', onboarding(t, '/tracking'), { metrics }),
  pickTemplate: (t: string, template: string) => send<{ id: string }>('PUT', onboarding(t, '/template'), { template }),
  manualSetup: (t: string) => getJson<ShopifyManualSetup>(onboarding(t, '/shopify/manual')),
  install: (t: string, shopDomain: string) => send<{ authorizeUrl: string }>('POST', onboarding(t, '/shopify/install'), { shopDomain }),
  createStore: (t: string, store: ManualStore) =>
    send<{ tenantId: string; storeId: string }>('POST', tenantApi(t, 'stores'), { ...store, channel: 'Shopify' }),
};

export type OnboardingApi = typeof onboardingApi;

/** How the checklist names the figures a person can track. */
export const metricLabels: Record<string, string> = {
  'gross-revenue': 'Revenue',
  orders: 'Orders',
  'average-order-value': 'Average order value',
  'net-revenue': 'Net revenue',
  refunds: 'Refunds',
  'units-sold': 'Units sold',
  'new-customers': 'New customers',
  'returning-customers': 'Returning customers',
};
