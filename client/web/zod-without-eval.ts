/**
 * Imported first by main.ts, before any schema exists: tells zod not to probe for `new Function`,
 * which the page's CSP (no 'unsafe-eval') forbids and reports as a violation even though zod catches
 * it. Validation is unchanged; only zod's compiled fast path for objects is not used.
 */
import * as z from 'zod';

z.config({ jitless: true });
