import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** A text upload (the app's text body parser takes text/*, YAML and CSV types); 400 when empty or JSON. */
export const TextBody = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const body = ctx.switchToHttp().getRequest<Request>().body as unknown;
  if (typeof body !== 'string' || body.trim() === '')
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message:
        'invalid body: (body): send the file as text (Content-Type: text/yaml, text/csv or text/plain)',
      issues: [{ path: '(body)', message: 'send the file as text' }],
    });
  return body;
});
