import { Module } from '@nestjs/common';

import { CredentialsModule } from '../credentials/credentials.module.js';
import { InternalCredentialsController } from './internal-credentials.controller.js';

@Module({ imports: [CredentialsModule], controllers: [InternalCredentialsController] })
export class InternalModule {}
