import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

import { AuditInterceptor } from './audit.interceptor.js';
import { AuditService } from './audit.service.js';
import { AuthGuard } from './auth.guard.js';
import { BootstrapAdminService } from './bootstrap-admin.service.js';
import { EarlyAuthMiddleware } from './early-auth.middleware.js';
import { WorkerTokenGuard } from './worker-token.guard.js';

/** Global guard + audit for every route of every module (including dispatch/runs). */
@Global()
@Module({
  providers: [
    AuditService,
    WorkerTokenGuard,
    BootstrapAdminService,
    EarlyAuthMiddleware,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditService, WorkerTokenGuard, EarlyAuthMiddleware],
})
export class AuthModule {}
