/**
 * A start on the embedded default: the first one seeds the demo source and registers it and the
 * default target; a restart finds them and leaves them alone; a demo directory that was removed is
 * seeded again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openSqlClient } from '../src/db/open.ts';
import { bootstrap, prepareEmbeddedMetadata } from '../src/demo/bootstrap.ts';
import { createTdm, type Tdm } from '../src/runtime.ts';

let dataDir: string;
let tdm: Tdm;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-bootstrap-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir() }));
});

afterAll(async () => {
  await tdm?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function customers(): Promise<number> {
  const sql = await openSqlClient(`pglite://${dataDir}/demo-source`);
  try {
    const { rows } = await sql.query<{ n: string }>('select count(*)::text as n from public.customer');
    return Number(rows[0]!.n);
  } finally {
    await sql.close();
  }
}

it('seeds once, finds everything on a restart, and seeds again when the demo directory is gone', async () => {
  const first: string[] = [];
  await bootstrap(tdm, (m) => first.push(m));
  expect(first.some((m) => m.startsWith('created the demo source database'))).toBe(true);
  expect(first.some((m) => m.startsWith('default target environment'))).toBe(true);
  const seeded = await customers();
  expect(seeded).toBeGreaterThan(0);
  const demo = await tdm.store.prisma.connection.findUniqueOrThrow({ where: { name: 'demo' } });

  const restart: string[] = [];
  await bootstrap(tdm, (m) => restart.push(m));
  expect(restart).toEqual([]);
  expect(await customers()).toBe(seeded);

  await rm(join(dataDir, 'demo-source'), { recursive: true, force: true });
  const again: string[] = [];
  await bootstrap(tdm, (m) => again.push(m));
  expect(again.some((m) => m.startsWith('created the demo source database'))).toBe(true);
  expect(await customers()).toBe(seeded);
  expect((await tdm.store.prisma.connection.findUniqueOrThrow({ where: { name: 'demo' } })).id).toBe(demo.id);
});

it('creates and migrates a missing embedded metadata store in a child process, once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tdm-bootstrap-metadata-'));
  try {
    const config = loadConfig({ TDM_DATA_DIR: join(dir, 'data'), TDM_DEMO: 'off' });
    const created: string[] = [];
    expect(await prepareEmbeddedMetadata(config, (m) => created.push(m))).toBe(true);
    expect(created.some((m) => m.startsWith('applied migration'))).toBe(true);
    expect(await prepareEmbeddedMetadata(config)).toBe(false);
    const opened: string[] = [];
    const store = await createTdm(config, { log: (m) => opened.push(m) });
    try {
      expect(opened.filter((m) => m.includes('migration'))).toEqual([]);
      expect(await store.store.prisma.connection.count()).toBe(0);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
