import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';

import { setUnauthorizedHandler, whoAmI, type Principal, type Role } from './api/client';
import { LoginPage } from './auth/login-page';
import { PrincipalContext } from './auth/principal';
import { clearToken, getToken } from './auth/session';
import { AuditPage } from './pages/audit/audit-page';
import { CredentialsPage } from './pages/credentials/credentials-page';
import { HostsPage } from './pages/hosts/hosts-page';
import { InventoriesPage } from './pages/inventories/inventories-page';
import { OverviewPage } from './pages/overview/overview-page';
import { QueryPage } from './pages/query/query-page';
import { ReportPage } from './pages/report/report-page';
import { RuleHostsPage } from './pages/report/rule-hosts-page';
import { DiffPage } from './pages/runs/diff-page';
import { RunsPage } from './pages/runs/runs-page';
import { ScansPage } from './pages/scans/scans-page';
import { TokensPage } from './pages/tokens/tokens-page';
import { WaiversPage } from './pages/waivers/waivers-page';
import { Link, useLocation } from './router';

interface Page {
  path: string;
  title: string;
  role: Role;
  render: () => ReactNode;
  /** Shown in the navigation (sub-pages are reached by links). */
  nav: boolean;
}

const PAGES: Page[] = [
  { path: '/', title: 'Overview', role: 'viewer', render: () => <OverviewPage />, nav: true },
  { path: '/report', title: 'Run report', role: 'viewer', render: () => <ReportPage />, nav: true },
  { path: '/rule', title: 'Rule', role: 'viewer', render: () => <RuleHostsPage />, nav: false },
  { path: '/runs', title: 'Runs', role: 'viewer', render: () => <RunsPage />, nav: true },
  { path: '/runs/diff', title: 'Run diff', role: 'viewer', render: () => <DiffPage />, nav: false },
  { path: '/hosts', title: 'Hosts', role: 'viewer', render: () => <HostsPage />, nav: true },
  { path: '/waivers', title: 'Waivers', role: 'viewer', render: () => <WaiversPage />, nav: true },
  { path: '/scans', title: 'Scan definitions', role: 'viewer', render: () => <ScansPage />, nav: true },
  {
    path: '/inventories',
    title: 'Inventories',
    role: 'viewer',
    render: () => <InventoriesPage />,
    nav: true,
  },
  { path: '/query', title: 'Query', role: 'operator', render: () => <QueryPage />, nav: true },
  { path: '/credentials', title: 'Credentials', role: 'admin', render: () => <CredentialsPage />, nav: true },
  { path: '/tokens', title: 'Tokens', role: 'admin', render: () => <TokensPage />, nav: true },
  { path: '/audit', title: 'Audit log', role: 'admin', render: () => <AuditPage />, nav: true },
];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function App() {
  const client = useQueryClient();
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [checking, setChecking] = useState(() => getToken() !== null);
  const signOut = () => {
    clearToken();
    client.clear();
    setPrincipal(null);
  };
  useEffect(() => {
    setUnauthorizedHandler(() => {
      client.clear();
      setPrincipal(null);
    });
    const token = getToken();
    if (!token) return;
    whoAmI(token)
      .then(setPrincipal)
      .catch(() => clearToken())
      .finally(() => setChecking(false));
  }, [client]);
  if (checking) return <p role="status">Checking the session…</p>;
  if (!principal) return <LoginPage onLogin={setPrincipal} />;
  return (
    <PrincipalContext.Provider value={principal}>
      <Shell principal={principal} onSignOut={signOut} />
    </PrincipalContext.Provider>
  );
}

function Shell({ principal, onSignOut }: { principal: Principal; onSignOut: () => void }) {
  const { path } = useLocation();
  const allowed = PAGES.filter((p) => RANK[principal.role] >= RANK[p.role]);
  const page = PAGES.find((p) => p.path === path);
  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · fleetqry`;
  }, [page]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">fleetqry</span>
        <nav aria-label="Main">
          <ul>
            {allowed
              .filter((p) => p.nav)
              .map((p) => (
                <li key={p.path}>
                  <Link to={p.path} aria-current={p.path === path ? 'page' : undefined}>
                    {p.title}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <span className="who">
          {principal.name} ({principal.role})
          <button type="button" className="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {!page ? (
          <h1>Page not found</h1>
        ) : RANK[principal.role] < RANK[page.role] ? (
          <>
            <h1>{page.title}</h1>
            <p role="alert">
              This page needs the {page.role} role; your token is {principal.role}.
            </p>
          </>
        ) : (
          page.render()
        )}
      </main>
    </>
  );
}
