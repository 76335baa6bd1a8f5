/**
 * `@tdm/sdk/playwright`: fixtures for `@playwright/test` that provision data once per worker.
 *
 * ```ts
 * import { test as base } from '@playwright/test';
 * import { tdmFixtures } from '@tdm/sdk/playwright';
 * export const test = base.extend<{}, { tdmData: ProvisionedData }>(tdmFixtures({ workflow: { domain: 'ecommerce', scenario: 'b2c',
 *   rowCounts: { '*': 50 }, config: { provision: { targetEnv: 'e2e', resetEnv: true } } } }));
 * test('checkout', async ({ page, tdmData }) => { … });
 * ```
 *
 * Nothing here imports Playwright: the fixture is a plain `[fn, { scope: 'worker' }]` pair, so the
 * SDK does not depend on the test runner. After the worker's last test the job is cancelled if it
 * still runs and the client's connections are closed.
 */
import { type ProvisionedData, provisionData, type TdmFixtureOptions } from './provision.ts';

export type { ProvisionedData, TdmFixtureOptions } from './provision.ts';

type WorkerFixture<T> = [(args: object, use: (value: T) => Promise<void>) => Promise<void>, { scope: 'worker' }];

export function tdmFixtures(options: TdmFixtureOptions | (() => TdmFixtureOptions)): { tdmData: WorkerFixture<ProvisionedData> } {
  return {
    tdmData: [
      // Playwright reads a fixture's dependencies from its first parameter: it must be an object pattern.
      // biome-ignore lint/correctness/noEmptyPattern: see above.
      async ({}, use) => {
        const { data, release } = await provisionData(typeof options === 'function' ? options() : options);
        try {
          await use(data);
        } finally {
          await release();
        }
      },
      { scope: 'worker' },
    ],
  };
}
