import { useState, type FormEvent } from 'react';

import { whoAmI, type Principal } from '../api/client';
import { setToken } from './session';

/** The login form: one field, a real <label>; the token is checked against /tokens/me before it is kept. */
export function LoginPage({ onLogin }: { onLogin: (p: Principal) => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const principal = await whoAmI(token.trim());
      setToken(token.trim());
      onLogin(principal);
    } catch (err) {
      setError(
        err instanceof Error && 'status' in err && err.status === 401
          ? 'That token is not valid.'
          : String(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <h1>fleetqry console</h1>
      <p className="muted">Violation reports, runs and PortQry queries for your fleet.</p>
      <form onSubmit={(e) => void submit(e)} className="card">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(e) => setValue(e.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="muted small">
          Kept in this tab's session storage only; closing the tab signs you out.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
