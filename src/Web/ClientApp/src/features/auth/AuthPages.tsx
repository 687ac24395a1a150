import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { authApi, nextPath, signInPath } from './session';
import './auth.css';

interface NavigateProps {
  navigate: (path: string) => void;
}

function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <section className="auth__card" aria-labelledby="auth-title">
        <p className="auth__brand">SalesDash</p>
        <h1 id="auth-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}

/** A sign-in or sign-up form's submit: busy while it runs, the server's message when it fails, then the page that asked. */
function useAuthSubmit(send: () => Promise<unknown>, navigate: (path: string) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await send();
      navigate(nextPath(window.location.search));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

/** The way across to the other form, keeping where to go afterwards. */
function SwitchLink({ to, question, label, navigate }: { to: '/sign-in' | '/sign-up'; question: string; label: string; navigate: (path: string) => void }) {
  const href = `${to}${window.location.search}`;
  return (
    <p>
      {question}{' '}
      <a href={href} onClick={(e) => (e.preventDefault(), navigate(href))}>
        {label}
      </a>
    </p>
  );
}

/** E-mail and password; on success back to the page that asked for sign-in. */
export function SignInPage({ navigate }: NavigateProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useAuthSubmit(() => authApi.signIn(email, password), navigate);
  return (
    <AuthCard title="Sign in">
      <form onSubmit={submit} className="auth__form">
        <label>
          E-mail
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error ? <p role="alert" className="auth__error">{error}</p> : null}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <SwitchLink to="/sign-up" question="New here?" label="Create an account" navigate={navigate} />
    </AuthCard>
  );
}

/** A person and their organisation; they become its Owner. */
export function SignUpPage({ navigate }: NavigateProps) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [form, setForm] = useState({ displayName: '', email: '', password: '', organisationName: '', timeZone: zone, reportingCurrency: 'USD' });
  const { error, busy, submit } = useAuthSubmit(() => authApi.signUp(form), navigate);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
  });
  return (
    <AuthCard title="Create your account">
      <form onSubmit={submit} className="auth__form">
        <label>
          Your name
          <input required autoComplete="name" {...field('displayName')} />
        </label>
        <label>
          E-mail
          <input type="email" required autoComplete="username" {...field('email')} />
        </label>
        <label>
          Password (10+ characters, upper and lower case and a digit)
          <input type="password" required autoComplete="new-password" {...field('password')} />
        </label>
        <label>
          Organisation
          <input required {...field('organisationName')} />
        </label>
        <label>
          Time zone
          <input required {...field('timeZone')} />
        </label>
        <label>
          Reporting currency
          <input required maxLength={3} {...field('reportingCurrency')} />
        </label>
        {error ? <p role="alert" className="auth__error">{error}</p> : null}
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
      <SwitchLink to="/sign-in" question="Have an account?" label="Sign in" navigate={navigate} />
    </AuthCard>
  );
}

/** Opened from the invitation e-mail: joins the organisation (after signing in with the invited address). */
export function AcceptInvitationPage({ token, navigate }: NavigateProps & { token: string }) {
  const [state, setState] = useState<{ status: 'working' } | { status: 'done'; name: string; role: string } | { status: 'error'; message: string }>({
    status: 'working',
  });
  useEffect(() => {
    let live = true;
    authApi.me().then(
      () =>
        authApi.acceptInvitation(token).then(
          (org) => live && setState({ status: 'done', name: org.name, role: org.role }),
          (e: Error) => live && setState({ status: 'error', message: e.message }),
        ),
      () => navigate(signInPath(window.location.pathname)),
    );
    return () => {
      live = false;
    };
  }, [token, navigate]);
  return (
    <AuthCard title="Invitation">
      {state.status === 'working' ? <p>Joining…</p> : null}
      {state.status === 'done' ? (
        <p>
          You joined {state.name} as {state.role}. <a href="/">Go to the dashboard</a>
        </p>
      ) : null}
      {state.status === 'error' ? <p role="alert" className="auth__error">{state.message}</p> : null}
    </AuthCard>
  );
}
