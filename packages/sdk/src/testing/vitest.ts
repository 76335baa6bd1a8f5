/**
 * `@tdm/sdk/vitest`: a Vitest test whose `tdmData` fixture is data TDM provisioned for the file.
 *
 * ```ts
 * import { tdmTest } from '@tdm/sdk/vitest';
 * const test = tdmTest({ workflow: { connectionId: 'demo', operations: ['discover', 'subset', 'provision'],
 *   config: { subset: { maxRowsPerTable: { '*': 100 } }, provision: { targetEnv: 'ci', resetEnv: true } } } });
 * test('orders have customers', async ({ tdmData }) => { expect(tdmData.rowCounts['public.order']).toBe(100); });
 * ```
 *
 * The workflow runs once per test file, the first time a test asks for `tdmData`; after the file's
 * last test the job is cancelled if it still runs and the client's connections are closed.
 */
import { test as base } from 'vitest';
import { type ProvisionedData, provisionData, type TdmFixtureOptions } from './provision.ts';

export type { ProvisionedData, TdmFixtureOptions } from './provision.ts';

/** `options` may be a function, read when the fixture first runs (e.g. after `beforeAll` started a server). */
export function tdmTest(options: TdmFixtureOptions | (() => TdmFixtureOptions)) {
  return base.extend<{ tdmData: ProvisionedData }>({
    tdmData: [
      // biome-ignore lint/correctness/noEmptyPattern: Vitest reads the fixture's dependencies from this pattern.
      async ({}, use) => {
        const { data, release } = await provisionData(typeof options === 'function' ? options() : options);
        try {
          await use(data);
        } finally {
          await release();
        }
      },
      { scope: 'file' },
    ],
  });
}
