/**
 * The signal server's HTTP side: the browser app (/, /s/<session id>, /assets/…, the service worker at
 * /sw.js), /healthz with counts and no ids, and plain 404/400 answers of our own (express's defaults
 * would replace the page policy). Pages and the service worker are always revalidated; assets carry a
 * content hash in their names, so browsers keep them for good.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { Logger } from 'pino';

/** What /healthz reports: versions and counts, never an id. */
export type Health = Record<string, string | number | boolean>;

/** Builds the express app; `health` answers /healthz. */
export function createHttpApp(options: { clientDir: string | null; health: () => Promise<Health>; log: Logger }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res, next) => {
    options.health().then((h) => res.json(h), next);
  });
  const clientDir = options.clientDir;
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    const page = (_req: express.Request, res: express.Response, next: express.NextFunction): void => {
      // A new build must reach a device at its next visit: never served from an HTTP cache unchecked.
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(clientDir, 'index.html'), (err) => {
        if (err) next(err);
      });
    };
    app.get('/s/:sessionId', page);
    app.get('/', page);
    // The service worker controls the whole origin, so it is served from the root; browsers check it for
    // updates on every visit.
    app.get('/sw.js', (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Service-Worker-Allowed', '/');
      res.type('text/javascript').sendFile(join(clientDir, 'sw.js'), (err) => {
        if (err) next(err);
      });
    });
    app.use('/assets', express.static(clientDir, {
      index: false,
      setHeaders: (res, path) => {
        // Content-hashed names never change meaning: keep them. index.html and sw.js are not assets.
        const hashed = /-[A-Za-z0-9]{8,}\.(js|css|png|webmanifest)$/.test(path);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }));
  }
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  app.use((err: Error & { status?: number; statusCode?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) options.log.error({ err: err.message }, 'http request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).type('text/plain').send(status >= 500 ? 'internal error' : 'bad request');
  });
  return app;
}
