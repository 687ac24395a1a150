import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { metricLabels, onboardingApi, type OnboardingApi, type OnboardingView, type ShopifyManualSetup } from './api';
import './onboarding.css';

export interface OnboardingPageProps {
  tenantId: string;
  /** Where "open your dashboard" and a new store lead. */
  navigate: (path: string) => void;
  /** Called when a store was added here, so the app reloads its store list. */
  onStoreCreated?: () => void;
  api?: OnboardingApi;
  /** Sends the browser to Shopify to approve the app (a full page load, not in-app navigation). */
  leaveFor?: (url: string) => void;
  /** How often the last step looks again for the first order. */
  pollMs?: number;
}

/** The guided checklist: sign up → connect a channel → choose what to track → pick a dashboard template → live. */
export function OnboardingPage({ tenantId, navigate, onStoreCreated, api = onboardingApi, leaveFor = (url) => window.location.assign(url), pollMs = 5000 }: OnboardingPageProps) {
  const [view, setView] = useState<OnboardingView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.get(tenantId).then(setView, (e: Error) => setError(e.message));
  }, [api, tenantId]);
  useEffect(reload, [reload]);
  // The last step waits for an order that arrives on its own: look again now and then until it has.
  const waiting = view?.checklist.next === 'live';
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = window.setInterval(reload, pollMs);
    return () => window.clearInterval(timer);
  }, [waiting, reload, pollMs]);

  const installed = new URLSearchParams(window.location.search).get('installed');
  if (error) return <main className="onboarding"><p role="alert">{error}</p></main>;
  if (!view) return <main className="onboarding"><p>Loading…</p></main>;
  const { checklist } = view;
  return (
    <main className="onboarding" data-testid="onboarding">
      <h1>Set up SalesDash</h1>
      {installed ? <p className="onboarding__notice" role="status">Shopify store “{installed}” connected: its orders arrive by webhook from now on.</p> : null}
      <ol className="onboarding__steps" data-testid="onboarding-checklist">
        {checklist.steps.map((step) => (
          <li key={step.id} data-testid={`step-${step.id}`} data-done={step.done} aria-current={checklist.next === step.id ? 'step' : undefined}>
            <span className="onboarding__mark" aria-hidden="true">{step.done ? '✓' : '•'}</span>
            <strong>{step.title}</strong> <span className="onboarding__detail">{step.detail}</span>
          </li>
        ))}
      </ol>
      {checklist.next === 'connect-channel' ? (
        <ConnectStep tenantId={tenantId} view={view} api={api} leaveFor={leaveFor} onCreated={() => { onStoreCreated?.(); reload(); }} />
      ) : null}
      {checklist.next === 'choose-tracking' ? <TrackStep tenantId={tenantId} view={view} api={api} onSaved={setView} /> : null}
      {checklist.next === 'pick-template' ? <TemplateStep tenantId={tenantId} view={view} api={api} onSaved={reload} /> : null}
      {checklist.next === 'live' ? (
        <section className="onboarding__panel" aria-labelledby="live-title">
          <h2 id="live-title">Waiting for your first order</h2>
          <p>Place a test order in your shop; this page ticks the last step as soon as it arrives.</p>
          <a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Open the live dashboard</a>
        </section>
      ) : null}
      {checklist.complete ? (
        <section className="onboarding__panel" data-testid="onboarding-complete">
          <h2>You are live</h2>
          <a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Open the live dashboard</a>
        </section>
      ) : null}
      {view.shopifyInstallations.length > 0 ? (
        <section className="onboarding__panel" aria-labelledby="installs-title">
          <h2 id="installs-title">Shopify app</h2>
          <ul>
            {view.shopifyInstallations.map((i) => (
              <li key={i.storeId} data-testid={`install-${i.storeId}`}>
                {i.shopDomain} → {i.storeId}: {i.uninstalledAt ? <strong>disconnected (the app was uninstalled); install it again to reconnect</strong> : 'connected'}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}

function ConnectStep({ tenantId, view, api, leaveFor, onCreated }: { tenantId: string; view: OnboardingView; api: OnboardingApi; leaveFor: (url: string) => void; onCreated: () => void }) {
  const [shop, setShop] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const install = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    try {
      leaveFor((await api.install(tenantId, shop.trim())).authorizeUrl);
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <section className="onboarding__panel" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect your shop</h2>
      {view.shopifyAppAvailable ? (
        <form onSubmit={install} className="onboarding__form" aria-label="Install the Shopify app">
          <label>
            Shop domain <input value={shop} onChange={(e) => setShop(e.target.value)} placeholder="my-shop.myshopify.com" required />
          </label>
          <button type="submit">Install the Shopify app</button>
          {problem ? <p role="alert">{problem}</p> : null}
        </form>
      ) : (
        <p>The Shopify app is not set up on this SalesDash; connect your shop by webhook below.</p>
      )}
      <ManualShopify tenantId={tenantId} api={api} onCreated={onCreated} />
      <p className="onboarding__detail">
        Selling elsewhere too? Once a store exists, its Channels page connects WooCommerce, Stripe, PayPal, Amazon, Google Analytics and ads, each with its own
        webhook address or connection form and a Test connection button.
      </p>
    </section>
  );
}

/** The manual path: our exact webhook address and a generated secret to paste into Shopify, each with a copy button. */
function ManualShopify({ tenantId, api, onCreated }: { tenantId: string; api: OnboardingApi; onCreated: () => void }) {
  const [setup, setSetup] = useState<ShopifyManualSetup | null>(null);
  const [form, setForm] = useState({ name: '', shopDomain: '', currency: 'USD', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, webhookSecret: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const open = async () => {
    try {
      const s = await api.manualSetup(tenantId);
      setSetup(s);
      setForm((f) => ({ ...f, webhookSecret: s.webhookSecret }));
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    try {
      await api.createStore(tenantId, { ...form, name: form.name.trim(), shopDomain: form.shopDomain.trim() });
      onCreated();
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  if (!setup) {
    return (
      <p>
        <button type="button" onClick={open}>Connect by webhook instead</button>
        {problem ? <span role="alert"> {problem}</span> : null}
      </p>
    );
  }
  const field = (key: keyof typeof form, label: string, extra: Record<string, string> = {}) => (
    <label>
      {label} <input value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} required {...extra} />
    </label>
  );
  return (
    <form onSubmit={create} className="onboarding__form" aria-label="Connect Shopify by webhook" data-testid="manual-shopify">
      <p>
        In Shopify: Settings → Notifications → Webhooks, add a JSON webhook for each of {setup.topics.join(', ')} to this address:
      </p>
      <p className="onboarding__copy">
        <code data-testid="manual-webhook-url">{setup.webhookUrl}</code> <CopyButton text={setup.webhookUrl} label="Copy address" />
      </p>
      <p>Sign the webhooks with this secret (if Shopify shows you its own signing secret, paste that here instead):</p>
      <p className="onboarding__copy">
        {field('webhookSecret', 'Webhook secret', { 'data-testid': 'manual-webhook-secret', minLength: '8' })} <CopyButton text={form.webhookSecret} label="Copy secret" />
      </p>
      {field('name', 'Store name')}
      {field('shopDomain', 'Shop domain', { placeholder: 'my-shop.myshopify.com' })}
      {field('currency', 'Currency', { maxLength: '3' })}
      {field('timeZone', 'Time zone')}
      <button type="submit">Connect the store</button>
      {problem ? <p role="alert">{problem}</p> : null}
    </form>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard?.writeText(text);
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

function TrackStep({ tenantId, view, api, onSaved }: { tenantId: string; view: OnboardingView; api: OnboardingApi; onSaved: (v: OnboardingView) => void }) {
  const [chosen, setChosen] = useState<string[]>(view.checklist.trackedMetrics.length > 0 ? view.checklist.trackedMetrics : ['gross-revenue', 'orders']);
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onSaved(await api.track(tenantId, chosen));
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <form onSubmit={save} className="onboarding__panel" aria-label="Choose what to track">
      <h2>What do you watch every day?</h2>
      {view.checklist.metricChoices.map((m) => (
        <label key={m} className="onboarding__choice">
          <input
            type="checkbox"
            checked={chosen.includes(m)}
            onChange={(e) => setChosen(e.target.checked ? [...chosen, m] : chosen.filter((c) => c !== m))}
          />{' '}
          {metricLabels[m] ?? m}
        </label>
      ))}
      <button type="submit">Track these</button>
      {problem ? <p role="alert">{problem}</p> : null}
    </form>
  );
}

function TemplateStep({ tenantId, view, api, onSaved }: { tenantId: string; view: OnboardingView; api: OnboardingApi; onSaved: () => void }) {
  const [template, setTemplate] = useState(view.checklist.templateId ?? view.checklist.templates[0]?.id ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.pickTemplate(tenantId, template);
      onSaved();
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <form onSubmit={save} className="onboarding__panel" aria-label="Pick a dashboard template">
      <h2>Start your dashboard from a template</h2>
      {view.checklist.templates.map((t) => (
        <label key={t.id} className="onboarding__choice">
          <input type="radio" name="template" value={t.id} checked={template === t.id} onChange={() => setTemplate(t.id)} /> <strong>{t.name}</strong>: {t.description}
        </label>
      ))}
      <button type="submit">Use this template</button>
      {problem ? <p role="alert">{problem}</p> : null}
    </form>
  );
}
