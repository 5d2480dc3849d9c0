import { Module } from '@nestjs/common';

import { HostViewsController } from './host-views.controller.js';
import { HostViewsService } from './host-views.service.js';

/** The host views `fleetqry agent` pushes: POST by operators, read by viewers. */
@Module({ controllers: [HostViewsController], providers: [HostViewsService], exports: [HostViewsService] })
export class HostViewsModule {}
