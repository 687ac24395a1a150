import { useEffect, useState, type FormEvent } from 'react';
import { ProblemError } from '../../lib/http';
import { CsvButton } from '../../lib/csv/CsvButton';
import '../plan/settings.css';
import { caretLine, metricsApi, type CustomMetric, type FormulaCheck, type FormulaError, type FormulaLanguage } from './api';

const empty = { name: '', formula: '', format: 'Number' };

/** The organisation's custom metrics: define one from the existing figures, see mistakes where they are, change or delete. */
export function MetricsPage({ tenantId }: { tenantId: string }) {
  const [metrics, setMetrics] = useState<CustomMetric[] | null>(null);
  const [language, setLanguage] = useState<FormulaLanguage | null>(null);
  const [draft, setDraft] = useState(empty);
  const [editing, setEditing] = useState<string | null>(null);
  const [check, setCheck] = useState<FormulaCheck | null>(null);
  const [formulaErrors, setFormulaErrors] = useState<FormulaError[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const reload = () => metricsApi.list(tenantId).then(setMetrics, (e: unknown) => setMessage(String(e)));
  useEffect(() => {
    document.title = 'Custom metrics · SalesDash';
    void reload();
    void metricsApi.language(tenantId).then(setLanguage, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tenantId]);

  // Check the formula as it is typed, a moment after the last key, so mistakes show before saving.
  useEffect(() => {
    if (!draft.formula.trim()) {
      setCheck(null);
      return;
    }
    const abort = new AbortController();
    const handle = setTimeout(() => {
      metricsApi.check(tenantId, draft.formula, abort.signal).then(setCheck, () => undefined);
    }, 250);
    return () => {
      clearTimeout(handle);
      abort.abort();
    };
  }, [tenantId, draft.formula]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setFormulaErrors([]);
    try {
      if (editing) await metricsApi.save(tenantId, editing, draft);
      else await metricsApi.create(tenantId, draft);
      setDraft(empty);
      setEditing(null);
      await reload();
    } catch (e) {
      if (e instanceof ProblemError) {
        setFormulaErrors((e.extensions.formulaErrors as FormulaError[] | undefined) ?? []);
        setMessage(e.message);
      } else setMessage(String(e));
    }
  };

  const shownErrors = formulaErrors.length > 0 ? formulaErrors : (check?.errors ?? []);
  return (
    <main className="settings-page">
      <h1>Custom metrics</h1>
      <form className="settings-form" onSubmit={(e) => void submit(e)} aria-label={editing ? 'Change metric' : 'New metric'}>
        <label>
          <span>Name</span>
          <input type="text" value={draft.name} maxLength={60} data-testid="metric-name" onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Formula</span>
          <input
            type="text"
            value={draft.formula}
            maxLength={language?.maxLength ?? 500}
            placeholder="e.g. net_revenue - ad_spend"
            spellCheck={false}
            data-testid="metric-formula"
            aria-invalid={shownErrors.length > 0}
            onChange={(e) => setDraft({ ...draft, formula: e.target.value })}
          />
        </label>
        {shownErrors.length > 0 ? (
          <div className="formula-errors" role="alert" data-testid="formula-errors">
            {shownErrors.map((error, i) => (
              <p key={i}>
                <code style={{ whiteSpace: 'pre' }}>
                  {draft.formula}
                  {'\n'}
                  {caretLine(draft.formula, error)}
                </code>
                <br />
                At {error.position + 1}: {error.message}
              </p>
            ))}
          </div>
        ) : check?.valid ? (
          <p className="settings-form__hint" data-testid="formula-ok">
            Reads as <code>{check.normalised}</code>
          </p>
        ) : null}
        <label>
          <span>Shown as</span>
          <select value={draft.format} onChange={(e) => setDraft({ ...draft, format: e.target.value })}>
            <option value="Number">Number</option>
            <option value="Currency">Money</option>
            <option value="Percent">Percent</option>
          </select>
        </label>
        <div>
          <button type="submit">{editing ? 'Save metric' : 'Add metric'}</button>{' '}
          {editing ? (
            <button type="button" onClick={() => (setEditing(null), setDraft(empty))}>
              Cancel
            </button>
          ) : null}
        </div>
        {message && shownErrors.length === 0 ? <p role="alert">{message}</p> : null}
      </form>

      <CsvButton tableId="metric-list" name="Custom metrics" />
      <table className="settings-table" data-testid="metric-list" id="metric-list">
        <caption>Metrics of this organisation</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Formula</th>
            <th scope="col">Shown as</th>
            <th scope="col" data-csv="skip">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(metrics ?? []).map((m) => (
            <tr key={m.id}>
              <td>{m.name}</td>
              <td>
                <code>{m.formula}</code>
              </td>
              <td>{m.format}</td>
              <td>
                <button type="button" onClick={() => (setEditing(m.id), setDraft({ name: m.name, formula: m.formula, format: m.format }))}>
                  Edit
                </button>{' '}
                <button type="button" onClick={() => void metricsApi.remove(tenantId, m.id).then(reload, (e: unknown) => setMessage(String(e)))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {metrics && metrics.length === 0 ? (
            <tr>
              <td colSpan={4}>No custom metrics yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>

      {language ? (
        <details>
          <summary>What a formula may use</summary>
          <ul>
            {language.figures.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code>: {f.description}
              </li>
            ))}
            {language.functions.map((f) => (
              <li key={f.name}>
                <code>{f.name}(…)</code>: {f.description}
              </li>
            ))}
            <li>Numbers, + − × ÷ (written + - * /) and parentheses. Dividing by zero gives no value.</li>
          </ul>
        </details>
      ) : null}
    </main>
  );
}
