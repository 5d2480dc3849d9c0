import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'fleetqry:public';

/**
 * No API token needed: /health, /metrics, and the worker-only internal routes (which have their own guard).
 * Everything else needs a token, and without @Roles an admin one.
 */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
