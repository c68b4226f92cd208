/**
 * The page's `zod/mini`: the build aliases every import of it here, so zod is told not to probe for
 * `new Function` before any module can use it — whatever order code splitting evaluates chunks in. The
 * probe is forbidden by the page's CSP (no 'unsafe-eval') and reported as a violation even though zod
 * catches it. Validation is unchanged; only zod's compiled fast path for objects is not used.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });

export * from 'zod/mini';
