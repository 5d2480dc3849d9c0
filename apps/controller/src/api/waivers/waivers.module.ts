import { Module } from '@nestjs/common';

import { WaiversController } from './waivers.controller.js';
import { WaiversService } from './waivers.service.js';

@Module({ controllers: [WaiversController], providers: [WaiversService] })
export class WaiversModule {}
