import { Module } from '@nestjs/common';

import { CredentialsModule } from '../credentials/credentials.module.js';
import { CredentialGrants } from './credential-grants.js';
import { InternalCredentialsController } from './internal-credentials.controller.js';

@Module({
  imports: [CredentialsModule],
  controllers: [InternalCredentialsController],
  providers: [CredentialGrants],
})
export class InternalModule {}
