/**
 * readCatalog on the edge-shapes fixture, on PGlite and on PostgreSQL: the schemas asked for and the
 * error naming missing ones, row counts, and catalogHash (stable over data, new after a change,
 * equal on both servers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogHash } from '../src/catalog/hash.ts';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { SchemaNotFoundError, type TdmError } from '../src/errors.ts';
import { closeEdgeShapes, edgeShapes, engines, PUBLIC_TABLES, pgUp, SCHEMAS, structureOf, table } from './support/edge-shapes.ts';

afterAll(closeEdgeShapes);

for (const engine of engines) {
  describe.skipIf(engine.skip)(`readCatalog on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let sql: SqlClient;
    let catalog: Catalog;
    beforeAll(async () => {
      ({ sql, catalog } = await edgeShapes(engine));
    });

    it('reads only the schemas asked for', async () => {
      const onlyPublic = await readCatalog(sql, ['public']);
      expect(onlyPublic.schemas).toEqual(['public']);
      expect(onlyPublic.tables.map((t) => t.name)).toEqual(PUBLIC_TABLES);
      expect(onlyPublic.sequences.map((s) => s.name)).not.toContain('Ticket Seq');
      const onlyOther = await readCatalog(sql, ['Other Schema']);
      expect(onlyOther.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['Other Schema.ticket']);
      // The FK still names its target outside the schemas read.
      expect(onlyOther.tables[0]?.foreignKeys[0]).toMatchObject({ referencedSchema: 'public', referencedTable: 'employee' });
    });

    it('names every missing schema in a SchemaNotFoundError (schema names are case-sensitive)', async () => {
      const err = await readCatalog(sql, ['public', 'nope', 'other schema']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SchemaNotFoundError);
      expect((err as TdmError).code).toBe('SCHEMA_NOT_FOUND');
      expect((err as TdmError).details).toMatchObject({ missing: ['nope', 'other schema'] });
      expect((err as Error).message).toContain('schemas "nope", "other schema" not found in');
    });

    it.each([
      // table, rows through the table (partitions and children included), own rows
      ['Other Schema.ticket', 2, 2],
      ['public.Bad Name 123!@#', 2, 2],
      ['public.MixedCase', 3, 3],
      ['public.audit_note', 4, 4],
      ['public.carrier', 2, 2],
      ['public.country', 3, 3],
      ['public.depot', 2, 2],
      ['public.employee', 3, 3],
      ['public.event_log', 3, 2],
      ['public.event_log_archive', 1, 1],
      ['public.gadget', 3, 3],
      ['public.invoice', 2, 2],
      ['public.order_line', 3, 3],
      ['public.player', 3, 3],
      ['public.promotion', 2, 2],
      ['public.reading', 5, 0],
      ['public.reading_2024', 3, 3],
      ['public.reading_2025', 2, 2],
      ['public.shipment_item', 2, 2],
      ['public.team', 2, 2],
      ['public.vendor', 3, 3],
    ] as const)('counts the rows of %s: %i in all, %i of its own', (name, rowCount, ownRowCount) => {
      expect(table(catalog, name)).toMatchObject({ rowCount, ownRowCount });
    });

    it('leaves row counts out when exactCounts is false', async () => {
      const uncounted = await readCatalog(sql, ['public'], { exactCounts: false });
      expect(uncounted.tables.every((t) => t.rowCount === null && t.ownRowCount === null)).toBe(true);
      expect(catalogHash(uncounted)).toBe(catalogHash(await readCatalog(sql, ['public'])));
    });

    // Changes the database: keep it last in this block (and it puts the database back as it was).
    it('gives the same catalogHash for an unchanged structure, whatever the data, and a new one after ADD COLUMN', async () => {
      const before = catalogHash(catalog);
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      expect(catalogHash(await readCatalog(sql, SCHEMAS))).toBe(before);
      // Schema order in the request does not matter either.
      expect(catalogHash(await readCatalog(sql, [...SCHEMAS].reverse()))).toBe(before);

      await sql.exec(`INSERT INTO public.audit_note (noted_at, body) VALUES ('2024-02-01 00:00:00+00', 'one more')`);
      const moreRows = await readCatalog(sql, SCHEMAS);
      expect(table(moreRows, 'public.audit_note').rowCount).toBe(5);
      expect(catalogHash(moreRows)).toBe(before);

      await sql.exec('ALTER TABLE public.audit_note ADD COLUMN severity smallint');
      const altered = await readCatalog(sql, SCHEMAS);
      expect(table(altered, 'public.audit_note').columns.map((c) => c.name)).toEqual(['noted_at', 'author', 'body', 'severity']);
      expect(catalogHash(altered)).not.toBe(before);

      await sql.exec(`ALTER TABLE public.audit_note DROP COLUMN severity; DELETE FROM public.audit_note WHERE body = 'one more'`);
      expect(catalogHash(await readCatalog(sql, SCHEMAS))).toBe(before);
    });
  });
}

describe.skipIf(!pgUp)(`the same script on PGlite and PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  it('gives the same catalog and the same catalogHash, whatever the server version', async () => {
    const [pglite, postgres] = await Promise.all(engines.map((e) => edgeShapes(e)));
    if (!pglite || !postgres) throw new Error('both engines should be loaded');
    // Server versions may differ (PGlite embeds a newer PostgreSQL): they are not part of the structure.
    expect(structureOf(pglite.catalog)).toEqual(structureOf(postgres.catalog));
    expect(catalogHash(pglite.catalog)).toBe(catalogHash(postgres.catalog));
  });
});
