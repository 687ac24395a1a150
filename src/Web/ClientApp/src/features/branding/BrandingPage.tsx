import { useEffect, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { ProblemError, send, tenantApi } from '../../lib/http';
import '../plan/settings.css';
import { COLOUR, SALESDASH, type Branding } from './branding';

interface BrandingSettings {
  tenantId: string;
  stored: Branding | null;
  inEffect: Branding;
  default: Branding;
  maxProductNameLength: number;
  maxLogoBytes: number;
}

/** White-label settings with a live preview; an organisation whose plan lacks white-label is told which plan has it. */
export function BrandingPage({ tenantId, onSaved }: { tenantId: string; onSaved?: () => void }) {
  const id = useId();
  const [settings, setSettings] = useState<BrandingSettings | null>(null);
  const [draft, setDraft] = useState<Branding>(SALESDASH);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    document.title = 'Branding · SalesDash';
    send<BrandingSettings>('GET', tenantApi(tenantId, 'branding'), undefined, abort.signal).then(
      (s) => {
        setSettings(s);
        setDraft(s.stored ?? s.inEffect);
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setRefusal(e instanceof Error ? e.message : String(e));
      },
    );
    return () => abort.abort();
  }, [tenantId]);

  const pickLogo = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setDraft((d) => ({ ...d, logoDataUri: typeof reader.result === 'string' ? reader.result : null }));
    reader.readAsDataURL(file);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setSaved(false);
    try {
      const s = await send<BrandingSettings>('PUT', tenantApi(tenantId, 'branding'), draft);
      setSettings(s);
      setSaved(true);
      onSaved?.();
    } catch (e) {
      if (e instanceof ProblemError && Object.keys(e.errors).length > 0) setErrors(e.errors);
      else setRefusal(e instanceof Error ? e.message : String(e));
    }
  };

  if (refusal && !settings) {
    return (
      <main className="settings-page">
        <h1>Branding</h1>
        <p role="alert" className="settings-page__error" data-testid="branding-refused">
          {refusal}
        </p>
      </main>
    );
  }
  if (!settings) return <main className="settings-page">Loading…</main>;

  const primary = COLOUR.test(draft.primaryColour) ? draft.primaryColour : SALESDASH.primaryColour;
  const accent = COLOUR.test(draft.accentColour) ? draft.accentColour : SALESDASH.accentColour;
  const fieldError = (key: string) =>
    errors[key] ? (
      <span role="alert" className="formula-errors" id={`${id}-${key}-error`}>
        {errors[key]!.join(' ')}
      </span>
    ) : null;

  return (
    <main className="settings-page">
      <h1>Branding</h1>
      <p>Your product name, logo and colours on the app, wallboards, reports and e-mails.</p>
      <form className="settings-form" onSubmit={(e) => void submit(e)}>
        <label>
          <span>Product name</span>
          <input
            type="text"
            value={draft.productName}
            maxLength={settings.maxProductNameLength}
            data-testid="brand-name"
            onChange={(e) => setDraft({ ...draft, productName: e.target.value })}
          />
          {fieldError('productName')}
        </label>
        <label>
          <span>Primary colour</span>
          <input type="color" value={primary} data-testid="brand-primary" onChange={(e) => setDraft({ ...draft, primaryColour: e.target.value })} />
          {fieldError('primaryColour')}
        </label>
        <label>
          <span>Accent colour</span>
          <input type="color" value={accent} data-testid="brand-accent" onChange={(e) => setDraft({ ...draft, accentColour: e.target.value })} />
          {fieldError('accentColour')}
        </label>
        <label>
          <span>Logo (PNG or SVG, at most {Math.round(settings.maxLogoBytes / 1024)} KB)</span>
          <input type="file" accept="image/png,image/svg+xml" data-testid="brand-logo" onChange={pickLogo} />
          {fieldError('logoDataUri')}
        </label>
        {draft.logoDataUri ? (
          <button type="button" onClick={() => setDraft({ ...draft, logoDataUri: null })}>
            Remove logo
          </button>
        ) : null}
        <div className="brand-preview" aria-label="Preview" data-testid="brand-preview">
          <div className="brand-preview__bar" style={{ background: primary, borderBottom: `4px solid ${accent}` }}>
            {draft.logoDataUri ? <img src={draft.logoDataUri} alt="" /> : null}
            <strong>{draft.productName || SALESDASH.productName}</strong>
          </div>
          <button type="button" className="brand-preview__button" style={{ background: primary }} tabIndex={-1}>
            A button
          </button>
        </div>
        <button type="submit">Save branding</button>
        {saved ? <p role="status">Saved: the app, wallboards, reports and e-mails now show it.</p> : null}
      </form>
    </main>
  );
}
