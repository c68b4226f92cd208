/**
 * The zod every schema of tether is built with: zod/mini, whose functions a bundle keeps only when used
 * (the page loads ~30 KB of it where classic zod's chainable methods brought ~100 KB: a phone parsed and
 * ran all of it before it could connect), with classic zod's English messages, which error details and
 * device-name errors show. Import `* as z from './zod.js'` (or the path to it), never 'zod' itself.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
