/**
 * Setup file of every test file that may open PGlite: fresh databases start from the run's initdb'd
 * template (see pglite-template.ts). `TDM_TEST_PGLITE_TEMPLATE=off` runs PGlite's own initdb instead.
 */
import { inject } from 'vitest';
import { usePgliteTemplate } from './pglite-template.ts';

const template = inject('pgliteTemplate');
if (template && process.env.TDM_TEST_PGLITE_TEMPLATE !== 'off') usePgliteTemplate(template);
