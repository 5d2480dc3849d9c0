import { Global, Module } from '@nestjs/common';

import { ScopeRulesController } from './scope-rules.controller.js';
import { ScopeService } from './scope.service.js';

/** Global: the dispatch module's planner injects ScopeService for the effective scope. */
@Global()
@Module({ controllers: [ScopeRulesController], providers: [ScopeService], exports: [ScopeService] })
export class ScopeRulesModule {}
