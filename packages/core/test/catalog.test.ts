/**
 * readCatalog and catalogHash on the project's own edge-shapes fixture (test/fixtures/edge-shapes.sql),
 * on PGlite and on the real PostgreSQL server: every shape a user would notice in the catalog.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogHash } from '../src/catalog/hash.ts';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../src/catalog/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { SchemaNotFoundError, type TdmError } from '../src/errors.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { loadSqlScript } from './support/load-sql.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const SCHEMAS = ['public', 'Other Schema'];

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: catalog tests on PostgreSQL are SKIPPED`);

type EngineName = 'pglite' | 'postgres';
const engines: { name: EngineName; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('catalog') },
];

interface Loaded {
  db: TestDatabase;
  sql: SqlClient;
  /** Read right after loading, before any test changes the database. */
  catalog: Catalog;
}

// One database per engine for the whole file, loaded on first use; the cross-engine comparison at
// the end reuses the catalogs read at load time.
const loaded = new Map<EngineName, Promise<Loaded>>();
function edgeShapes(engine: (typeof engines)[number]): Promise<Loaded> {
  let entry = loaded.get(engine.name);
  if (!entry) {
    entry = (async () => {
      const db = await engine.create();
      const sql = await openSqlClient(db.url);
      await loadSqlScript(sql, EDGE_SHAPES);
      return { db, sql, catalog: await readCatalog(sql, SCHEMAS) };
    })();
    loaded.set(engine.name, entry);
  }
  return entry;
}

afterAll(async () => {
  for (const entry of loaded.values()) {
    const { db, sql } = await entry.catch(() => ({ db: undefined, sql: undefined }));
    await sql?.close();
    await db?.drop();
  }
});

function table(catalog: Catalog, qualifiedName: string): TableDef {
  const t = catalog.tables.find((x) => `${x.schema}.${x.name}` === qualifiedName);
  if (!t) throw new Error(`table ${qualifiedName} is not in the catalog (${catalog.tables.map((x) => `${x.schema}.${x.name}`).join(', ')})`);
  return t;
}

function column(catalog: Catalog, qualifiedName: string, name: string): ColumnDef {
  const t = table(catalog, qualifiedName);
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`column ${name} is not in ${qualifiedName} (${t.columns.map((x) => x.name).join(', ')})`);
  return c;
}

function foreignKey(catalog: Catalog, qualifiedName: string, name: string): ForeignKeyDef {
  const fk = table(catalog, qualifiedName).foreignKeys.find((x) => x.name === name);
  if (!fk) throw new Error(`foreign key ${name} is not on ${qualifiedName}`);
  return fk;
}

/** The catalog without what legitimately differs between two servers holding the same structure. */
function structureOf(catalog: Catalog) {
  return {
    schemas: catalog.schemas,
    enums: catalog.enums,
    domains: catalog.domains,
    sequences: catalog.sequences.map(({ lastValue: _lastValue, ...s }) => s),
    tables: catalog.tables.map(({ rowEstimate: _estimate, ...t }) => t),
  };
}

const PUBLIC_TABLES = [
  'Bad Name 123!@#',
  'MixedCase',
  'audit_note',
  'carrier',
  'country',
  'depot',
  'employee',
  'event_log',
  'event_log_archive',
  'gadget',
  'invoice',
  'order_line',
  'player',
  'promotion',
  'reading',
  'reading_2024',
  'reading_2025',
  'shipment_item',
  'team',
  'vendor',
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`readCatalog on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let sql: SqlClient;
    let catalog: Catalog;
    beforeAll(async () => {
      ({ sql, catalog } = await edgeShapes(engine));
    });

    it('lists every table of the requested schemas, partitions and INHERITS children included, sorted', () => {
      expect(catalog.schemas).toEqual(SCHEMAS);
      expect(catalog.serverVersion).toMatch(/^\d+(\.\d+)?/);
      expect(catalog.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['Other Schema.ticket', ...PUBLIC_TABLES.map((n) => `public.${n}`)]);
    });

    it('keeps enum labels in their declared order', () => {
      expect(catalog.enums).toEqual([{ schema: 'public', name: 'mood', labels: ['sad', 'neutral', 'happy', 'ecstatic'] }]);
      expect(column(catalog, 'public.gadget', 'current_mood')).toMatchObject({
        dataType: 'public.mood',
        typeSchema: 'public',
        typeName: 'mood',
        typeKind: 'enum',
        nullable: false,
        default: "'neutral'::public.mood",
      });
    });

    it('reports a domain column as typeKind domain, with the base type, length and CHECK of the domain', () => {
      expect(catalog.domains).toEqual([
        {
          schema: 'public',
          name: 'us_zip',
          baseType: 'character varying(10)',
          nullable: true,
          default: null,
          checks: [{ name: 'us_zip_format', expression: "((VALUE)::text ~ '^[0-9]{5}(-[0-9]{4})?$'::text)" }],
        },
      ]);
      expect(column(catalog, 'public.gadget', 'zip')).toMatchObject({
        dataType: 'public.us_zip',
        typeName: 'us_zip',
        typeKind: 'domain',
        elementType: null,
        maxLength: 10,
        comment: 'US postal code',
      });
    });

    it.each([
      // column, dataType, typeKind, elementType, maxLength, numericPrecision, numericScale
      ['id', 'uuid', 'base', null, null, null, null],
      ['name', 'character varying(40)', 'base', null, 40, null, null],
      ['price', 'numeric(10,2)', 'base', null, null, 10, 2],
      ['origin', 'character(2)', 'base', null, 2, null, null],
      ['specs', 'jsonb', 'base', null, null, null, null],
      ['photo', 'bytea', 'base', null, null, null, null],
      ['released_at', 'timestamp with time zone', 'base', null, null, null, null],
      ['warranty', 'interval', 'base', null, null, null, null],
      ['search', 'tsvector', 'base', null, null, null, null],
      ['tags', 'text[]', 'array', 'text', null, null, null],
      ['ratings', 'integer[]', 'array', 'integer', null, null, null],
      ['moods', 'public.mood[]', 'array', 'public.mood', null, null, null],
    ] as const)(
      'gadget.%s is %s (%s, element %s, length %s, numeric(%s,%s))',
      (name, dataType, typeKind, elementType, maxLength, numericPrecision, numericScale) => {
        expect(column(catalog, 'public.gadget', name)).toMatchObject({ dataType, typeKind, elementType, maxLength, numericPrecision, numericScale });
      },
    );

    it('keeps column positions, nullability, defaults and comments', () => {
      const gadget = table(catalog, 'public.gadget');
      expect(gadget.comment).toBe('One column of each awkward type');
      expect(gadget.columns.map((c) => c.position)).toEqual(gadget.columns.map((_c, i) => i + 1));
      expect(column(catalog, 'public.gadget', 'tags')).toMatchObject({ nullable: false, default: "'{}'::text[]" });
      expect(column(catalog, 'public.gadget', 'specs')).toMatchObject({ nullable: false, default: "'{}'::jsonb" });
      expect(column(catalog, 'public.gadget', 'photo')).toMatchObject({ nullable: true, default: null });
      expect(column(catalog, 'public.invoice', 'payment_terms')).toMatchObject({ nullable: false, default: "'30 days'::interval" });
    });

    it('tells identity ALWAYS, identity BY DEFAULT and serial apart, each with its sequence', () => {
      expect(column(catalog, 'public.employee', 'id')).toMatchObject({ identity: 'ALWAYS', default: null, sequence: 'public.employee_id_seq' });
      expect(column(catalog, 'public.MixedCase', 'Id')).toMatchObject({ identity: 'BY_DEFAULT', default: null, sequence: 'public.MixedCase_Id_seq' });
      expect(column(catalog, 'public.country', 'id')).toMatchObject({
        identity: null,
        default: "nextval('public.country_id_seq'::regclass)",
        sequence: 'public.country_id_seq',
      });
      expect(column(catalog, 'public.gadget', 'id')).toMatchObject({ identity: null, sequence: null });
      const owners = Object.fromEntries(catalog.sequences.map((s) => [`${s.schema}.${s.name}`, s.ownedBy]));
      expect(owners).toMatchObject({
        'public.employee_id_seq': 'public.employee.id',
        'public.MixedCase_Id_seq': 'public.MixedCase.Id',
        'public.country_id_seq': 'public.country.id',
      });
    });

    it('resolves the sequence of a serial column whose sequence is not OWNED BY it', () => {
      expect(column(catalog, 'public.invoice', 'invoice_no')).toMatchObject({
        identity: null,
        default: "nextval('public.invoice_no_seq'::regclass)",
        sequence: 'public.invoice_no_seq',
      });
      const seq = catalog.sequences.find((s) => s.name === 'invoice_no_seq');
      expect(seq).toMatchObject({ schema: 'public', dataType: 'bigint', start: '1000', increment: '1', cycle: false, ownedBy: 'public.invoice.invoice_no' });
      // Two invoices were inserted through the default.
      expect(seq?.lastValue).toBe('1001');
    });

    it('reads the expression of a stored generated column, which has no default', () => {
      expect(column(catalog, 'public.order_line', 'total')).toMatchObject({
        dataType: 'numeric(12,2)',
        generated: '((quantity)::numeric * unit_price)',
        default: null,
        identity: null,
      });
      expect(
        table(catalog, 'public.order_line')
          .columns.filter((c) => c.generated !== null)
          .map((c) => c.name),
      ).toEqual(['total']);
    });

    it('keeps the declared column order of a composite PK and of the composite FK referencing it', () => {
      const orderLine = table(catalog, 'public.order_line');
      expect(orderLine.columns.map((c) => c.name)).toEqual(['line_no', 'order_no', 'quantity', 'unit_price', 'total']);
      expect(orderLine.primaryKey).toEqual({ name: 'order_line_pk', columns: ['order_no', 'line_no'] });
      expect(foreignKey(catalog, 'public.shipment_item', 'shipment_item_line_fk')).toEqual({
        name: 'shipment_item_line_fk',
        columns: ['order_no', 'line_no'],
        referencedSchema: 'public',
        referencedTable: 'order_line',
        referencedColumns: ['order_no', 'line_no'],
        onDelete: 'RESTRICT',
        onUpdate: 'CASCADE',
        matchType: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        notValid: false,
      });
    });

    it('sees both edges of the two-table cycle, the breakable one nullable and deferrable', () => {
      expect(foreignKey(catalog, 'public.team', 'team_captain_fk')).toMatchObject({
        columns: ['captain_id'],
        referencedTable: 'player',
        referencedColumns: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
        deferrable: true,
        initiallyDeferred: true,
      });
      expect(column(catalog, 'public.team', 'captain_id').nullable).toBe(true);
      expect(foreignKey(catalog, 'public.player', 'player_team_fk')).toMatchObject({
        columns: ['team_id'],
        referencedTable: 'team',
        onDelete: 'CASCADE',
        deferrable: false,
        initiallyDeferred: false,
      });
      expect(column(catalog, 'public.player', 'team_id').nullable).toBe(false);
    });

    it('sees the three-table cycle vendor -> carrier -> depot -> vendor', () => {
      const edges = catalog.tables.flatMap((t) =>
        t.foreignKeys.map((fk) => `${t.name}.${fk.columns.join(',')} -> ${fk.referencedTable}.${fk.referencedColumns.join(',')}`),
      );
      expect(edges).toEqual(
        expect.arrayContaining(['vendor.preferred_carrier_id -> carrier.id', 'carrier.home_depot_id -> depot.id', 'depot.operator_vendor_id -> vendor.id']),
      );
      for (const name of ['vendor', 'carrier', 'depot']) expect(table(catalog, `public.${name}`).foreignKeys).toHaveLength(1);
    });

    it('sees the self-reference employee.manager_id -> employee.id', () => {
      expect(foreignKey(catalog, 'public.employee', 'employee_manager_fk')).toMatchObject({
        columns: ['manager_id'],
        referencedSchema: 'public',
        referencedTable: 'employee',
        referencedColumns: ['id'],
        onDelete: 'SET NULL',
      });
    });

    it('sees an FK to a UNIQUE column that is not the primary key', () => {
      expect(foreignKey(catalog, 'public.employee', 'employee_country_fk')).toMatchObject({
        columns: ['country_code'],
        referencedTable: 'country',
        referencedColumns: ['iso_code'],
        onUpdate: 'CASCADE',
        onDelete: 'NO ACTION',
      });
      const country = table(catalog, 'public.country');
      expect(country.primaryKey?.columns).toEqual(['id']);
      expect(country.uniques).toEqual([{ name: 'country_iso_code_key', columns: ['iso_code'], deferrable: false, nullsNotDistinct: false }]);
    });

    it('links declarative partitions to their parent with their bounds, without copying the parent FK onto them', () => {
      const parent = table(catalog, 'public.reading');
      expect(parent).toMatchObject({ kind: 'PARTITIONED_TABLE', partitionKey: 'RANGE (taken_on)', partitionOf: null, partitionKind: null });
      expect(parent.primaryKey).toEqual({ name: 'reading_pk', columns: ['gadget_id', 'taken_on'] });
      expect(parent.foreignKeys.map((fk) => [fk.name, fk.referencedTable, fk.onDelete])).toEqual([['reading_gadget_fk', 'gadget', 'CASCADE']]);
      for (const [name, bound] of [
        ['reading_2024', "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"],
        ['reading_2025', "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"],
      ] as const) {
        const partition = table(catalog, `public.${name}`);
        expect(partition).toMatchObject({
          kind: 'TABLE',
          partitionOf: 'public.reading',
          partitionKind: 'DECLARATIVE',
          partitionBound: bound,
          partitionKey: null,
        });
        expect(partition.columns.map((c) => c.name)).toEqual(['gadget_id', 'taken_on', 'value']);
        expect(partition.foreignKeys).toEqual([]);
      }
    });

    it('links an INHERITS child to its parent, with the inherited CHECK marked inherited and no PK', () => {
      const child = table(catalog, 'public.event_log_archive');
      expect(child).toMatchObject({ kind: 'TABLE', partitionOf: 'public.event_log', partitionKind: 'INHERITS', partitionBound: null, primaryKey: null });
      expect(child.columns.map((c) => c.name)).toEqual(['id', 'message', 'logged_at', 'archived_at']);
      expect(child.checks).toEqual([
        { name: 'event_log_message_not_blank', expression: "(message <> ''::text)", columns: ['message'], inherited: true, noInherit: false },
      ]);
      const parent = table(catalog, 'public.event_log');
      expect(parent).toMatchObject({ partitionOf: null, partitionKind: null, primaryKey: { name: 'event_log_pkey', columns: ['id'] } });
      expect(parent.checks.map((c) => [c.name, c.inherited])).toEqual([['event_log_message_not_blank', false]]);
    });

    it('reports a table without a primary key as such', () => {
      const note = table(catalog, 'public.audit_note');
      expect(note.primaryKey).toBeNull();
      expect(note.indexes).toEqual([]);
      expect(note.columns.map((c) => [c.name, c.nullable])).toEqual([
        ['noted_at', false],
        ['author', true],
        ['body', false],
      ]);
    });

    it('reads CHECK constraints, including one comparing two columns', () => {
      const [period] = table(catalog, 'public.promotion').checks;
      expect(period).toMatchObject({ name: 'promotion_period_chk', expression: '(ends_on >= starts_on)', inherited: false });
      expect([...(period?.columns ?? [])].sort()).toEqual(['ends_on', 'starts_on']);
      expect(table(catalog, 'public.order_line').checks).toEqual([
        { name: 'order_line_quantity_check', expression: '(quantity > 0)', columns: ['quantity'], inherited: false, noInherit: false },
      ]);
    });

    it('keeps quoted identifiers exactly, in names, keys and row counts', () => {
      const bad = table(catalog, 'public.Bad Name 123!@#');
      expect(bad.columns.map((c) => c.name)).toEqual(['ID', 'Label Text']);
      expect(bad.primaryKey).toEqual({ name: 'Bad Name 123!@#_pkey', columns: ['ID'] });
      const mixed = table(catalog, 'public.MixedCase');
      expect(mixed.columns.map((c) => c.name)).toEqual(['Id', 'select', 'badRef']);
      expect(mixed.foreignKeys).toEqual([
        expect.objectContaining({ name: 'MixedCase_badRef_fkey', columns: ['badRef'], referencedTable: 'Bad Name 123!@#', referencedColumns: ['ID'] }),
      ]);
      expect([bad.rowCount, mixed.rowCount]).toEqual([2, 3]);
      expect(catalog.tables.some((t) => t.name === 'mixedcase' || t.name === 'bad name 123!@#')).toBe(false);
    });

    it('reads indexes: expression parts as text, access method, the constraint an index backs', () => {
      const employee = table(catalog, 'public.employee');
      expect(employee.indexes.map((i) => [i.name, i.columns, i.unique, i.primary, i.method, i.constraint])).toEqual([
        ['employee_lower_name_idx', ['lower(full_name::text)'], false, false, 'btree', null],
        ['employee_pkey', ['id'], true, true, 'btree', 'employee_pkey'],
      ]);
      expect(table(catalog, 'public.gadget').indexes.find((i) => i.name === 'gadget_search_idx')).toMatchObject({
        columns: ['search'],
        method: 'gin',
        unique: false,
      });
      expect(table(catalog, 'public.country').indexes.find((i) => i.name === 'country_iso_code_key')).toMatchObject({
        unique: true,
        primary: false,
        constraint: 'country_iso_code_key',
        definition: 'CREATE UNIQUE INDEX country_iso_code_key ON public.country USING btree (iso_code)',
      });
    });

    it('reads the second schema "Other Schema": its table, its FK into public and both its non-owned sequences', () => {
      const ticket = table(catalog, 'Other Schema.ticket');
      expect(ticket.foreignKeys).toEqual([
        expect.objectContaining({
          name: 'ticket_employee_fk',
          columns: ['employee_id'],
          referencedSchema: 'public',
          referencedTable: 'employee',
          referencedColumns: ['id'],
        }),
      ]);
      expect(column(catalog, 'Other Schema.ticket', 'id')).toMatchObject({
        default: `nextval('"Other Schema"."Ticket Seq"'::regclass)`,
        sequence: 'Other Schema.Ticket Seq',
      });
      // The catalog is read with search_path = pg_catalog: names are always schema-qualified.
      expect(column(catalog, 'Other Schema.ticket', 'ref_no')).toMatchObject({
        default: "nextval('public.ticket_ref_seq'::regclass)",
        sequence: 'public.ticket_ref_seq',
      });
      expect(catalog.sequences.find((s) => s.schema === 'Other Schema')).toMatchObject({ name: 'Ticket Seq', ownedBy: 'Other Schema.ticket.id' });
      expect(catalog.sequences.find((s) => s.name === 'ticket_ref_seq')?.ownedBy).toBe('Other Schema.ticket.ref_no');
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
