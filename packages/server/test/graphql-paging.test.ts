/**
 * `schemas` is a Relay connection: paged with `first` and `after`, it covers every schema once, in
 * the order of a single page. The test makes the schemas it pages through.
 */
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { discoverOk, dropLater, gql, graphqlApiSuite } from './support/graphql-api.ts';

graphqlApiSuite();

// ---------------------------------------------------------------------------------------------
describe('schemas: a Relay connection', () => {
  let source: TestDatabase;
  // Held open for the whole block: the clients discovery opens share this PGlite instance.
  let sql: SqlClient | undefined;

  beforeAll(async () => {
    source = await createPgliteUrl();
    dropLater.push(source);
    sql = await openSqlClient(source.url);
    // Three schemas with a table each, discovered one by one and together: a schema per set of names.
    await sql.exec(`
      create table public.customer (customer_id integer primary key);
      create schema audit;
      create table audit.event (event_id integer primary key, customer_id integer references public.customer (customer_id));
      create schema sales;
      create table sales.sale (sale_id integer primary key);`);
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('pages with first: 2 and after, covering every schema once, in the order of a single page', async () => {
    const PAGE = `query($first: Int, $after: String) {
      schemas(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id name latestVersion { id version } } }
      }
    }`;
    type Page = {
      schemas: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { cursor: string; node: { id: string; name: string; latestVersion: { id: string } | null } }[];
      };
    };
    // The schemas this test makes, counted on top of whatever the store held before.
    const before = (await gql<Page>(PAGE, { first: 100 })).schemas.totalCount;
    const made = [['public'], ['public', 'audit'], ['audit'], ['sales'], ['audit', 'sales']];
    for (const schemas of made) await discoverOk({ connectionString: source.url, schemas });
    const all = (await gql<Page>(PAGE, { first: 100 })).schemas;
    expect(all.totalCount).toBe(before + made.length);
    expect(all.edges).toHaveLength(all.totalCount);
    expect(all.pageInfo.hasNextPage).toBe(false);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page: Page['schemas'] = (await gql<Page>(PAGE, { first: 2, after })).schemas;
      expect(page.totalCount).toBe(all.totalCount);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      expect(page.edges.length).toBeGreaterThan(0);
      for (const e of page.edges) expect(e.node.latestVersion).not.toBeNull();
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      if (!page.pageInfo.hasNextPage) {
        expect(pages).toBe(Math.ceil(all.totalCount / 2));
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
  });
});
