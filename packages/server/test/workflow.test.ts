import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm } from '@tdm/core/runtime';
import { it } from 'vitest';
import { createPgliteUrl } from '../../core/test/support/databases.ts';

it('exp', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tdm-exp-'));
  const demo = await createPgliteUrl();
  const sql = await openSqlClient(demo.url);
  await seedDemoSource(sql, { customers: 20, products: 10, orders: 30 });
  const tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }));
  const r = await tdm.jobs.execute({ connectionString: demo.url, operations: ['discover'] });
  console.log(r);
  await tdm.jobs.startWorking();
  for (let i = 0; i < 100; i++) {
    const j = await tdm.jobs.get(r.jobId);
    if (tdm.jobs.isTerminal(j.status)) { console.log(j.status, j.attempts, JSON.stringify(j.error)); break; }
    await new Promise((res) => setTimeout(res, 100));
  }
  await new Promise((res) => setTimeout(res, 1000));
  console.log((await tdm.jobs.logs.history(r.jobId)).map((e) => `${e.seq} ${e.step} ${e.level} ${e.message}`).join('\n'));
  console.log((await tdm.jobs.get(r.jobId)).attempts);
  await tdm.close();
  await sql.close();
});
