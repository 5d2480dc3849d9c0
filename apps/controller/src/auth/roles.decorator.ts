import { SetMetadata } from '@nestjs/common';

/** API roles, least to most privileged. Admin implies operator implies viewer. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'fleetqry:roles';

/** The minimum role a route needs; the global auth guard enforces it (and audits denials). */
export const Roles = (minimum: Role) => SetMetadata(ROLES_KEY, minimum);
