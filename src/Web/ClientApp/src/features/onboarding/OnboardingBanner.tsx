import { useEffect, useState, type MouseEvent } from 'react';
import { onboardingApi, type OnboardingApi, type OnboardingView } from './api';

/** A line above every page until the organisation's checklist is done, so the next step is never lost. */
export function OnboardingBanner({ tenantId, href, onOpen, api = onboardingApi }: { tenantId: string; href: string; onOpen: (e: MouseEvent<HTMLAnchorElement>) => void; api?: OnboardingApi }) {
  const [view, setView] = useState<OnboardingView | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.get(tenantId, controller.signal).then(setView, () => undefined);
    return () => controller.abort();
  }, [api, tenantId]);
  if (!view || view.checklist.complete) return null;
  const next = view.checklist.steps.find((s) => s.id === view.checklist.next);
  return (
    <p className="onboarding-banner" role="status" data-testid="onboarding-banner">
      Setup: {view.checklist.steps.filter((s) => s.done).length} of {view.checklist.steps.length} done{next ? ` · next: ${next.title}` : ''}.{' '}
      <a href={href} onClick={onOpen}>Continue setting up</a>
    </p>
  );
}
