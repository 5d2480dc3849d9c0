import { Body, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';

import { errorResponses } from './endpoint.decorator.js';
import { openApiSchema } from './zod-schema.js';
import { validationError, ZodValidationPipe } from './zod-validation.pipe.js';

type ParamDecorator = (target: object, key: string | symbol | undefined, index: number) => void;

function methodDescriptor(target: object, key: string | symbol | undefined): PropertyDescriptor {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (!descriptor) throw new Error('zod parameter decorators go on controller methods');
  return descriptor;
}

/**
 * `@ZodBody(Schema)`: validates the JSON body with the contracts schema and documents it in OpenAPI, from
 * one declaration (so the docs cannot drift from the validation).
 */
export function ZodBody(schema: z.ZodType, description?: string): ParamDecorator {
  return (target, key, index) => {
    Body(new ZodValidationPipe(schema, 'body'))(target, key, index);
    errorResponses(400, 413)(target, key as string, methodDescriptor(target, key));
    ApiBody({ schema: openApiSchema(schema), ...(description ? { description } : {}) })(
      target,
      key as string,
      methodDescriptor(target, key),
    );
  };
}

/** `@ZodQuery(Schema)`: the whole query string as one validated object; each property documented. */
export function ZodQuery(schema: z.ZodType): ParamDecorator {
  return (target, key, index) => {
    Query(new ZodValidationPipe(schema, 'query'))(target, key, index);
    errorResponses(400)(target, key as string, methodDescriptor(target, key));
    const json = openApiSchema(schema);
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      ApiQuery({ name, required: required.has(name), schema: prop as object })(
        target,
        key as string,
        methodDescriptor(target, key),
      );
    }
  };
}

/** `:id` as a uuid (400 naming `id` otherwise, instead of a database error). */
export function UuidParam(name = 'id'): ParamDecorator {
  return (target, key, index) => {
    Param(name, new ParseUUIDPipe({ exceptionFactory: () => badId(name) }))(target, key, index);
    errorResponses(400)(target, key as string, methodDescriptor(target, key));
    ApiParam({ name, schema: { type: 'string', format: 'uuid' } })(
      target,
      key as string,
      methodDescriptor(target, key),
    );
  };
}

function badId(name: string): Error {
  return validationError([{ path: name, message: 'must be a uuid' }], 'param');
}

/** Documents a response with its contracts schema (output side: defaults are filled). */
export function ZodResponse(status: number, schema: z.ZodType, description = 'OK'): MethodDecorator {
  return ApiResponse({ status, description, schema: openApiSchema(schema, 'output') });
}
