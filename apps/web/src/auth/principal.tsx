import { createContext, useContext } from 'react';

import type { Principal, Role } from '../api/client';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const PrincipalContext = createContext<Principal | null>(null);

function usePrincipal(): Principal {
  const p = useContext(PrincipalContext);
  if (!p) throw new Error('usePrincipal outside the signed-in app');
  return p;
}

/** Whether the signed-in token's role allows what needs `role` (the API enforces it either way). */
export function useCan(role: Role): boolean {
  return RANK[usePrincipal().role] >= RANK[role];
}

export function Can({ role, children }: { role: Role; children: React.ReactNode }) {
  return useCan(role) ? <>{children}</> : null;
}
