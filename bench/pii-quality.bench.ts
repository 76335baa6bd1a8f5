/**
 * PII detection quality against hand labels: every column of the shared sample databases (pagila,
 * chinook, sakila-jooq, world, neosync-edgecases; labels in bench/pii-labels/) and of the project's
 * own fixtures (packages/core/test/fixtures/pii/: people.sql with rows, public-schemas.sql with the
 * names of Northwind, AdventureWorks, Synthea… tables and no rows; always measured). For each database and
 * for all of them together: precision and recall of "is this column personal", and per taxonomy
 * category; once with sampled values and once from names, types and table context alone. Goals:
 * precision ≥ 0.95, recall ≥ 0.9. The errors (false positives, misses) are printed as notes.
 */
import { readFile } from 'node:fs/promises';
import { readCatalog } from '../packages/core/src/catalog/read-catalog.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import type { SqlClient } from '../packages/core/src/db/sql-client.ts';
import { classifyCatalog } from '../packages/core/src/pii/classify.ts';
import { combineEvaluations, type Evaluation, evaluate, type LabelFile } from '../packages/core/src/pii/evaluate.ts';
import { createPgliteUrl, pgAvailable } from '../packages/core/test/support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from '../packages/core/test/support/load-sql.ts';
import { type BenchContext, benchDatabase, type Result, round } from './lib.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const SHARED: [string, FixtureName][] = [
  ['pagila', 'pagila'],
  ['chinook', 'chinook'],
  ['sakila-jooq', 'sakila'],
  ['world', 'world'],
  ['neosync-edgecases', 'edgecases'],
];
const PRECISION_GOAL = '>= 95 %';
const RECALL_GOAL = '>= 90 %';

const readJson = async <T>(url: URL): Promise<T> => JSON.parse(await readFile(url, 'utf8')) as T;

/** A share in percent with one decimal (98.6 %), so the printed table shows what a ratio rounded to 0.1 would hide. */
const ratio = (name: string, value: number, goal: string): Result => ({ name, value: round(value * 100, 1), unit: '%', reference: null, ratio: null, goal });

function rows(prefix: string, e: Evaluation, perCategory: boolean): Result[] {
  const out = [ratio(`${prefix}/precision`, e.overall.precision, PRECISION_GOAL), ratio(`${prefix}/recall`, e.overall.recall, RECALL_GOAL)];
  if (perCategory)
    for (const [category, s] of Object.entries(e.byCategory)) {
      out.push(ratio(`${prefix}/${category.toLowerCase()}/precision`, s.precision, PRECISION_GOAL));
      out.push(ratio(`${prefix}/${category.toLowerCase()}/recall`, s.recall, RECALL_GOAL));
    }
  return out;
}

async function measure(sql: SqlClient, labels: LabelFile): Promise<{ values: Evaluation; namesOnly: Evaluation }> {
  const catalog = await readCatalog(sql, ['public']);
  const values = evaluate(await classifyCatalog(sql, catalog, { now: NOW }), labels.columns);
  const namesOnly = evaluate(await classifyCatalog(sql, catalog, { now: NOW, sampleValues: false }), labels.columns);
  return { values, namesOnly };
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const out: Result[] = [];
  const withValues: Evaluation[] = [];
  const withoutValues: Evaluation[] = [];
  const pg = await pgAvailable();

  // The project's own fixture: always (PostgreSQL when reachable, PGlite otherwise).
  const people = pg ? await benchDatabase(ctx, 'pii_people') : await createPgliteUrl({ memory: true });
  if (!pg) ctx.defer(() => people.drop());
  const own = await openSqlClient(people.url);
  try {
    await loadSqlScript(own, await readFile(new URL('../packages/core/test/fixtures/pii/people.sql', import.meta.url), 'utf8'));
    const m = await measure(own, await readJson<LabelFile>(new URL('../packages/core/test/fixtures/pii/people.labels.json', import.meta.url)));
    out.push(...rows('pii/quality/people/values', m.values, true), ...rows('pii/quality/people/names-only', m.namesOnly, false));
    for (const e of m.values.errors) ctx.note(`pii people: ${e}`);
    // Names of public sample schemas (Northwind, AdventureWorks, Synthea…), structure only: names and context alone.
    await own.exec('drop schema public cascade; create schema public;');
    await loadSqlScript(own, await readFile(new URL('../packages/core/test/fixtures/pii/public-schemas.sql', import.meta.url), 'utf8'));
    const p = await measure(own, await readJson<LabelFile>(new URL('../packages/core/test/fixtures/pii/public-schemas.labels.json', import.meta.url)));
    out.push(...rows('pii/quality/public-schemas/names-only', p.namesOnly, true));
    for (const e of p.namesOnly.errors) ctx.note(`pii public-schemas: ${e}`);
  } finally {
    await own.close();
  }

  if (!pg || !fixturesAvailable()) {
    ctx.note(`pii quality: shared sample databases skipped (${pg ? 'fixtures not found' : 'PostgreSQL not reachable'})`);
    return out;
  }
  for (const [name, fixture] of SHARED) {
    const db = await benchDatabase(ctx, `pii_${fixture}`);
    const sql = await openSqlClient(db.url);
    try {
      await loadFixture(sql, fixture);
      const m = await measure(sql, await readJson<LabelFile>(new URL(`./pii-labels/${name}.json`, import.meta.url)));
      ctx.log(`classified ${name}: ${m.values.errors.length} disagreements with the labels`);
      for (const e of m.values.errors) ctx.note(`pii ${name}: ${e}`);
      if (m.values.unlabelled.length) ctx.note(`pii ${name}: unlabelled columns ${m.values.unlabelled.join(', ')}`);
      withValues.push(m.values);
      withoutValues.push(m.namesOnly);
      out.push(...rows(`pii/quality/${name}/values`, m.values, false));
    } finally {
      await sql.close();
    }
  }
  out.push(...rows('pii/quality/shared/values', combineEvaluations(withValues), true));
  out.push(...rows('pii/quality/shared/names-only', combineEvaluations(withoutValues), true));
  return out;
}
