import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The API and the web console (a built SPA: scripts, styles, fonts and images from this origin only). */
const STRICT = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Not upgrade-insecure-requests: a controller reached over plain HTTP inside a cluster must keep working.
  upgradeInsecureRequests: null,
};

/**
 * Swagger UI (/docs) and Bull Board (/admin/queues) load every script from this origin too, but write inline
 * <style> elements and style attributes: only there may styles be inline. script-src stays 'self' everywhere.
 */
const INLINE_STYLE_PATHS = ['/docs', '/admin/queues'];

/** helmet on every response, with the one relaxation above scoped to its paths. */
export function securityHeaders(): RequestHandler {
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives: STRICT } });
  const inlineStyles = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...STRICT, styleSrc: ["'self'", "'unsafe-inline'"] },
    },
  });
  return (req, res, next) =>
    (INLINE_STYLE_PATHS.some((p) => req.path === p || req.path.startsWith(`${p}/`)) ? inlineStyles : strict)(
      req,
      res,
      next,
    );
}
