/**
 * The signal server's HTTP side: the browser app (/, /s/<session id>, /assets/…), /healthz with counts
 * and no ids, and plain 404/400 answers of our own (express's defaults would replace the page policy).
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
      res.sendFile(join(clientDir, 'index.html'), (err) => {
        if (err) next(err);
      });
    };
    app.get('/s/:sessionId', page);
    app.get('/', page);
    app.use('/assets', express.static(clientDir, { index: false, maxAge: '1h' }));
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
