/**
 * Test data driven by the test case itself: the feature file this suite implements is sent to TDM,
 * which reads the fields it fills in (and the rules its scenarios state), generates users that obey
 * them — the feature's own example first — and loads them into the server's default target
 * environment (when it has one). The
 * suite then checks what a UI test would rely on. Point it at your server with TDM_URL (TDM_TOKEN
 * when the server requires tokens).
 */
import { readFile } from 'node:fs/promises';
import { TdmClient } from '@tdm/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const url = process.env.TDM_URL ?? 'http://127.0.0.1:8003/graphql';
const tdm = new TdmClient({ url, token: process.env.TDM_TOKEN });
const feature = await readFile(new URL('./features/signup.feature', import.meta.url), 'utf8');

const serverUp = await tdm.workflows.templates().then(
  () => true,
  () => false,
);
if (!serverUp) console.warn(`Skipping: no TDM server answers at ${url} (start one with \`npm run server\`, or set TDM_URL).`);

describe.skipIf(!serverUp)('sign-up users generated from signup.feature', () => {
  let users: Record<string, unknown>[];

  beforeAll(async () => {
    const analysis = await tdm.testCases.analyze({ content: feature, fileName: 'signup.feature' });
    expect(analysis.entities.map((e) => e.name)).toContain('user');

    // Load the users into the server's default target environment when it has one.
    const environments = await tdm.environments.list();
    const target = environments.find((e) => e.isDefault) ?? environments[0];
    const { jobId } = await tdm.workflows.execute({
      testCaseContent: feature,
      testCaseFileName: 'signup.feature',
      rowCounts: { users: 200 },
      operations: target ? ['synthetic', 'provision'] : ['synthetic'],
      config: target ? { provision: { targetEnv: target.name, resetEnv: true } } : {},
    });
    const job = await tdm.jobs.waitFor(jobId, { timeoutMs: 120_000 });
    if (job.status !== 'COMPLETED') throw new Error(`the workflow ended ${job.status}: ${JSON.stringify(job.error)}`);
    const trace = await tdm.jobs.trace(jobId);
    const datasetVersionId = trace?.datasetVersionIds[0];
    if (!datasetVersionId) throw new Error('the job made no dataset version');
    users = await tdm.datasets.preview(datasetVersionId, { table: 'users', limit: 200 });
  }, 180_000);

  afterAll(() => tdm.close());

  it("holds the feature's own example user", () => {
    expect(users[0]).toMatchObject({ email: 'ann.lee@test.com', first_name: 'Ann', last_name: 'Lee' });
  });

  it('obeys the rules the scenarios state: unique emails, passwords of at least 8 characters', () => {
    expect(users).toHaveLength(200);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    for (const u of users) expect(String(u.password).length).toBeGreaterThanOrEqual(8);
  });
});
