import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { createApp } from '../src/app.ts';
import { createTestDatabase } from '../../core/test/support/databases.ts';
import { loadFixture } from '../../core/test/support/load-sql.ts';

let dir: string; let tdm: Tdm; let app: ReturnType<typeof createApp>;
const dbs: { drop(): Promise<void> }[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tdm-srv-'));
  let t = Date.now();
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dir, TDM_DEMO: 'off' }), { log: console.log });
  console.log('tdm', Date.now() - t);
  app = createApp(tdm);
});
afterAll(async () => { await tdm.close(); for (const d of dbs) await d.drop(); await rm(dir, { recursive: true, force: true }); });

it('explore', async () => {
  for (const f of ['pagila', 'chinook', 'sakila', 'world', 'edgecases'] as const) {
    let t = Date.now();
    const db = await createTestDatabase(f); dbs.push(db);
    const c = await openSqlClient(db.url); await loadFixture(c, f); await c.close();
    const load = Date.now() - t; t = Date.now();
    const res = await app.yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation($s:String){ discoverSchema(input:{connectionString:$s}) { __typename ... on Error { message code } ... on MutationDiscoverSchemaSuccess { data { id version tableCount tables { schema name kind partitionOf primaryKey rowCount columns { name } foreignKeys { name columns referencedTable referencedColumns selfReference target { name } } } } } } }`, variables: { s: db.url } }) });
    const j = await res.json() as any;
    const d = Date.now() - t;
    const tables = j.data.discoverSchema.data.tables;
    console.log(f, 'load', load, 'discover', d, 'tables', tables.length, 'parts', tables.filter((x: any) => x.partitionOf).map((x: any) => x.name + '<' + x.partitionOf).join(','), 'fks', tables.reduce((n: number, x: any) => n + x.foreignKeys.length, 0), 'rows', tables.filter((x: any) => !x.partitionOf).reduce((n: number, x: any) => n + x.rowCount, 0));
    console.log(JSON.stringify(tables.map((x: any) => [x.name, x.kind, x.primaryKey, x.rowCount, x.foreignKeys.map((k: any) => `${k.columns}->${k.target.name}(${k.referencedColumns})${k.selfReference ? ' self' : ''}`)])));
  }
});
