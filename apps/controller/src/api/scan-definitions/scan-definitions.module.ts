import { Global, Module } from '@nestjs/common';

import { ScanDefinitionEvents } from './scan-definition-events.js';
import { ScanDefinitionsController } from './scan-definitions.controller.js';
import { ScanDefinitionsService } from './scan-definitions.service.js';

/** Global so the dispatch module can inject ScanDefinitionEvents without importing the API modules. */
@Global()
@Module({
  controllers: [ScanDefinitionsController],
  providers: [ScanDefinitionsService, ScanDefinitionEvents],
  exports: [ScanDefinitionsService, ScanDefinitionEvents],
})
export class ScanDefinitionsModule {}
