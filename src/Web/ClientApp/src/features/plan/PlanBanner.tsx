import { useEffect, useState, type MouseEvent } from 'react';
import { send, tenantApi } from './http';
import type { PlanView } from './PlanPage';
import './plan-banner.css';

/**
 * The plan's state wherever the person works: trial days left, a trial that ended (now Free), or revenue over the
 * month's allowance. Quiet (renders nothing) on a paid or operator-set plan within its limits.
 */
export function PlanBanner({ tenantId, planHref, onOpen }: { tenantId: string; planHref: string; onOpen: (e: MouseEvent<HTMLAnchorElement>) => void }) {
  const [plan, setPlan] = useState<PlanView | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setPlan(null);
    // A failure (signed out, no such organisation) just leaves the banner out; the page itself says what went wrong.
    send<PlanView>('GET', tenantApi(tenantId, 'plan'), undefined, abort.signal).then(setPlan, () => undefined);
    return () => abort.abort();
  }, [tenantId]);

  if (!plan) return null;
  let text: string | null = null;
  if (plan.revenue.liveViewBlocked) text = 'Tracked revenue is over this plan’s monthly allowance: the live view is paused until you upgrade.';
  else if (plan.revenue.graceEndsAt) text = 'Tracked revenue is over this plan’s monthly allowance; the live view pauses when the grace period ends.';
  else if (plan.source === 'Trial' && plan.trial)
    text = `${plan.tier} trial: ${plan.trial.daysLeft} day${plan.trial.daysLeft === 1 ? '' : 's'} left.`;
  else if (plan.source === 'Free' && plan.trial) text = 'Your trial has ended: this organisation is on the Free plan.';
  if (!text) return null;
  return (
    <p className="plan-banner" role="status" data-testid="plan-banner">
      {text}{' '}
      <a href={planHref} onClick={onOpen}>
        {plan.billing ? 'Choose a plan' : 'See the plan'}
      </a>
    </p>
  );
}
