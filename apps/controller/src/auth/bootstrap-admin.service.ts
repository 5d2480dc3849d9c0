import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ensureApiToken } from '@fleetqry/store';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { StoreService } from '../store/store.service.js';

export const BOOTSTRAP_ADMIN_NAME = 'bootstrap-admin (FLEETQRY_ADMIN_TOKEN)';

/**
 * FLEETQRY_ADMIN_TOKEN becomes an admin API token (its hash only) at every start; idempotent, so replicas
 * starting together agree. Changing the variable revokes the previous env token: rotation is a restart.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stores: StoreService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.adminToken) return;
    const { info, created, revoked } = await ensureApiToken(this.stores.prisma, {
      token: this.config.adminToken,
      name: BOOTSTRAP_ADMIN_NAME,
      role: 'admin',
      createdBy: 'environment',
      replacesSameName: true,
    });
    if (info.revokedAt) {
      this.logger.warn(
        { prefix: info.prefix },
        'FLEETQRY_ADMIN_TOKEN was revoked through the API; it stays refused',
      );
      return;
    }
    if (created || revoked > 0)
      this.logger.log({ prefix: info.prefix, revokedPrevious: revoked }, 'bootstrap admin token stored');
  }
}
