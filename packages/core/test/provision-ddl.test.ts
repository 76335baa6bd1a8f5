/**
 * planDdl and the reset plan on hand-built catalogs: the ordering rules and the statements a
 * target database will run, without a database.
 */
import { describe, expect, it } from 'vitest';
import { planDdl, planReset } from '../src/provision/ddl.ts';
import { datasetObjects } from '../src/provision/objects.ts';
import { at, catalog, col, seq, tbl } from './support/catalog-builders.ts';

describe('planDdl ordering', () => {
  // Catalog order is alphabetical: children and dependants come first on purpose.
  const shop = catalog({
    schemas: ['public', 'Other Schema'],
    enums: [
      { schema: 'public', name: 'mood', labels: ['sad', "it's ok", 'happy'] },
      { schema: 'public', name: 'unused_enum', labels: ['x'] },
    ],
    domains: [
      { schema: 'public', name: 'a_mood_list', baseType: 'public.z_mood_domain[]', nullable: true, default: null, checks: [] },
      {
        schema: 'public',
        name: 'z_mood_domain',
        baseType: 'public.mood',
        nullable: false,
        default: "'happy'::public.mood",
        checks: [{ name: 'not_sad', expression: "(VALUE <> 'sad'::public.mood)" }],
      },
    ],
    sequences: [
      seq('public', 'invoice_no_seq', { start: '1000', ownedBy: 'public.invoice.invoice_no' }),
      seq('public', 'ticket_ref_seq', { dataType: 'bigint', max: '9223372036854775807', ownedBy: 'Other Schema.ticket.ref_no' }),
      seq('public', 'person_id_seq', { start: '5', increment: '2', ownedBy: 'public.person.id' }),
      seq('public', 'unused_seq'),
    ],
    tables: [
      tbl(
        'Other Schema.ticket',
        [
          col('id', 'integer', { nullable: false }),
          col('ref_no', 'bigint', { nullable: false, default: "nextval('public.ticket_ref_seq'::regclass)", sequence: 'public.ticket_ref_seq' }),
          col('person_id', 'integer'),
        ],
        {
          primaryKey: { name: 'ticket_pkey', columns: ['id'] },
          foreignKeys: [
            {
              name: 'ticket_person_fk',
              columns: ['person_id'],
              referencedSchema: 'public',
              referencedTable: 'person',
              referencedColumns: ['id'],
              onDelete: 'SET NULL',
              onUpdate: 'CASCADE',
              matchType: 'FULL',
              deferrable: true,
              initiallyDeferred: true,
              notValid: false,
            },
          ],
        },
      ),
      tbl('public.Bad Name 123!@#', [col('ID', 'integer', { nullable: false }), col('unused', 'public.unused_enum', { typeKind: 'enum' })], {
        primaryKey: { name: 'Bad Name 123!@#_pkey', columns: ['ID'] },
      }),
      tbl(
        'public.event_log_archive',
        [
          col('id', 'integer', { nullable: false }),
          col('message', 'text', { nullable: false }),
          col('archived_at', 'timestamp with time zone', { nullable: false }),
        ],
        {
          partitionOf: 'public.event_log',
          partitionKind: 'INHERITS',
          checks: [{ name: 'message_not_blank', expression: "(message <> ''::text)", columns: ['message'], inherited: true, noInherit: false }],
        },
      ),
      tbl('public.event_log', [col('id', 'integer', { nullable: false }), col('message', 'text', { nullable: false })], {
        primaryKey: { name: 'event_log_pkey', columns: ['id'] },
        checks: [{ name: 'message_not_blank', expression: "(message <> ''::text)", columns: ['message'], inherited: false, noInherit: false }],
      }),
      tbl('public.invoice', [
        col('invoice_no', 'integer', { nullable: false, default: "nextval('public.invoice_no_seq'::regclass)", sequence: 'public.invoice_no_seq' }),
        col('quantity', 'integer', { nullable: false }),
        col('price', 'numeric(10,2)', { nullable: false }),
        col('total', 'numeric(12,2)', { generated: '((quantity)::numeric * price)' }),
        col('moods', 'public.a_mood_list', { typeKind: 'domain' }),
      ]),
      tbl('public.person', [col('id', 'integer', { nullable: false, identity: 'ALWAYS', sequence: 'public.person_id_seq' }), col('boss_id', 'integer')], {
        primaryKey: { name: 'person_pkey', columns: ['id'] },
        indexes: [
          {
            name: 'person_pkey',
            columns: ['id'],
            unique: true,
            primary: true,
            method: 'btree',
            definition: 'CREATE UNIQUE INDEX person_pkey ON public.person USING btree (id)',
            constraint: 'person_pkey',
          },
          {
            name: 'person_boss_idx',
            columns: ['boss_id'],
            unique: false,
            primary: false,
            method: 'btree',
            definition: 'CREATE INDEX person_boss_idx ON public.person USING btree (boss_id)',
            constraint: null,
          },
        ],
        foreignKeys: [
          {
            name: 'person_boss_fk',
            columns: ['boss_id'],
            referencedSchema: 'public',
            referencedTable: 'person',
            referencedColumns: ['id'],
            onDelete: 'NO ACTION',
            onUpdate: 'NO ACTION',
            matchType: 'SIMPLE',
            deferrable: false,
            initiallyDeferred: false,
            notValid: false,
          },
        ],
      }),
      tbl('public.reading_2024', [col('taken_on', 'date', { nullable: false }), col('value', 'double precision', { default: '0' })], {
        partitionOf: 'public.reading',
        partitionKind: 'DECLARATIVE',
        partitionBound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        primaryKey: { name: 'reading_2024_pkey', columns: ['taken_on'] },
        indexes: [
          {
            name: 'reading_2024_value_idx',
            columns: ['value'],
            unique: false,
            primary: false,
            method: 'btree',
            definition: 'CREATE INDEX reading_2024_value_idx ON public.reading_2024 USING btree (value)',
            constraint: null,
          },
        ],
      }),
      tbl('public.reading', [col('taken_on', 'date', { nullable: false }), col('value', 'double precision')], {
        kind: 'PARTITIONED_TABLE',
        partitionKey: 'RANGE (taken_on)',
        primaryKey: { name: 'reading_pk', columns: ['taken_on'] },
        indexes: [
          {
            name: 'reading_value_idx',
            columns: ['value'],
            unique: false,
            primary: false,
            method: 'btree',
            definition: 'CREATE INDEX reading_value_idx ON ONLY public.reading USING btree (value)',
            constraint: null,
          },
        ],
      }),
    ],
  });
  const all = shop.tables.map((t) => ({ schema: t.schema, name: t.name }));
  const plan = planDdl(shop, all);

  it('creates schemas if missing, never replacing one', () => {
    expect(plan.pre.slice(0, 2)).toEqual(['CREATE SCHEMA IF NOT EXISTS "Other Schema"', 'CREATE SCHEMA IF NOT EXISTS "public"']);
    expect([...plan.pre, ...plan.post].some((s) => /DROP/i.test(s))).toBe(false);
  });

  it('creates an enum before the domain over it, a domain before the domain over it, both before the table using them', () => {
    const e = at(plan.pre, 'CREATE TYPE "public"."mood"');
    const inner = at(plan.pre, 'CREATE DOMAIN "public"."z_mood_domain"');
    const outer = at(plan.pre, 'CREATE DOMAIN "public"."a_mood_list"');
    const table = at(plan.pre, 'CREATE TABLE "public"."invoice"');
    expect(e).toBeLessThan(inner);
    expect(inner).toBeLessThan(outer);
    expect(outer).toBeLessThan(table);
    expect(plan.pre[e]).toBe(`CREATE TYPE "public"."mood" AS ENUM ('sad', 'it''s ok', 'happy')`);
    expect(plan.pre[inner]).toBe(
      `CREATE DOMAIN "public"."z_mood_domain" AS public.mood DEFAULT 'happy'::public.mood NOT NULL CONSTRAINT "not_sad" CHECK ((VALUE <> 'sad'::public.mood))`,
    );
  });

  it('creates the sequence a nextval default calls before its table, and gives an identity its sequence options', () => {
    const s = at(plan.pre, 'CREATE SEQUENCE "public"."invoice_no_seq"');
    expect(plan.pre[s]).toBe('CREATE SEQUENCE "public"."invoice_no_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1000 NO CYCLE');
    expect(s).toBeLessThan(at(plan.pre, 'CREATE TABLE "public"."invoice"'));
    expect(at(plan.pre, 'CREATE SEQUENCE "public"."ticket_ref_seq"')).toBeLessThan(at(plan.pre, 'CREATE TABLE "Other Schema"."ticket"'));
    expect(plan.pre[at(plan.pre, 'CREATE TABLE "public"."person"')]).toContain(
      '"id" integer GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME "public"."person_id_seq" INCREMENT BY 2 MINVALUE 1 MAXVALUE 2147483647 START WITH 5 NO CYCLE) NOT NULL',
    );
    // The identity column creates its own sequence.
    expect(plan.pre.some((x) => x.startsWith('CREATE SEQUENCE "public"."person_id_seq"'))).toBe(false);
  });

  it('declares generated columns as STORED expressions with no default', () => {
    expect(plan.pre[at(plan.pre, 'CREATE TABLE "public"."invoice"')]).toContain(
      '"total" numeric(12,2) GENERATED ALWAYS AS (((quantity)::numeric * price)) STORED,',
    );
  });

  it('creates a partition after its parent, with the bound, and puts back what its columns say differently', () => {
    const parent = at(plan.pre, 'CREATE TABLE "public"."reading" (');
    const child = at(plan.pre, 'CREATE TABLE "public"."reading_2024"');
    expect(parent).toBeLessThan(child);
    expect(plan.pre[parent]).toMatch(/\) PARTITION BY RANGE \(taken_on\)$/);
    expect(plan.pre[child]).toBe(`CREATE TABLE "public"."reading_2024" PARTITION OF "public"."reading" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`);
    expect(plan.pre[child + 1]).toBe('ALTER TABLE ONLY "public"."reading_2024" ALTER COLUMN "value" SET DEFAULT 0');
  });

  it("adds a partition's primary key before its parent's, so the parent's attaches it", () => {
    expect(at(plan.pre, 'ADD CONSTRAINT "reading_2024_pkey" PRIMARY KEY')).toBeLessThan(at(plan.pre, 'ADD CONSTRAINT "reading_pk" PRIMARY KEY'));
    expect(at(plan.pre, 'CREATE TABLE "public"."reading_2024"')).toBeLessThan(at(plan.pre, 'ADD CONSTRAINT "reading_pk"'));
  });

  it('creates an INHERITS child after its parent with only its own columns, and does not re-declare inherited checks', () => {
    const parent = at(plan.pre, 'CREATE TABLE "public"."event_log" (');
    const child = at(plan.pre, 'CREATE TABLE "public"."event_log_archive"');
    expect(parent).toBeLessThan(child);
    expect(plan.pre[child]).toBe('CREATE TABLE "public"."event_log_archive" ("archived_at" timestamp with time zone NOT NULL) INHERITS ("public"."event_log")');
    expect(plan.pre.filter((s) => s.includes('"message_not_blank"'))).toEqual([
      `ALTER TABLE "public"."event_log" ADD CONSTRAINT "message_not_blank" CHECK ((message <> ''::text))`,
    ]);
  });

  it('quotes hostile identifiers everywhere', () => {
    expect(plan.pre).toContain('CREATE TABLE "public"."Bad Name 123!@#" ("ID" integer NOT NULL, "unused" public.unused_enum)');
    expect(plan.post).toContain('ALTER TABLE "public"."Bad Name 123!@#" ADD CONSTRAINT "Bad Name 123!@#_pkey" PRIMARY KEY ("ID")');
  });

  it("builds a standalone table's keys after the load, before the foreign keys that need them; checks stay before", () => {
    const pk = at(plan.post, 'ADD CONSTRAINT "person_pkey" PRIMARY KEY');
    expect(plan.pre.some((s) => s.includes('"person_pkey"'))).toBe(false);
    expect(pk).toBeLessThan(at(plan.post, '"ticket_person_fk" FOREIGN KEY'));
    expect(pk).toBeLessThan(at(plan.post, '"person_boss_fk" FOREIGN KEY'));
    expect(plan.pre.filter((s) => s.includes('"message_not_blank"')).length).toBeGreaterThan(0);
    expect(plan.post.some((s) => s.includes('CHECK ('))).toBe(false);
  });

  it('puts indexes that back no constraint, foreign keys and OWNED BY after the load', () => {
    expect(plan.post).toContain('CREATE INDEX person_boss_idx ON public.person USING btree (boss_id)');
    expect([...plan.pre, ...plan.post].some((s) => s.includes('INDEX person_pkey'))).toBe(false);
    // The partition's index first, then the parent's without ONLY: it attaches the partition's.
    expect(at(plan.post, 'reading_2024_value_idx')).toBeLessThan(at(plan.post, 'reading_value_idx'));
    expect(plan.post).toContain('CREATE INDEX reading_value_idx ON public.reading USING btree (value)');
    expect(plan.post).toContain(
      'ALTER TABLE "Other Schema"."ticket" ADD CONSTRAINT "ticket_person_fk" FOREIGN KEY ("person_id") REFERENCES "public"."person" ("id") MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED',
    );
    expect(plan.post).toContain('ALTER TABLE "public"."person" ADD CONSTRAINT "person_boss_fk" FOREIGN KEY ("boss_id") REFERENCES "public"."person" ("id")');
    expect(plan.post).toContain('ALTER SEQUENCE "public"."invoice_no_seq" OWNED BY "public"."invoice"."invoice_no"');
    // PostgreSQL refuses OWNED BY across schemas; identity sequences are owned already.
    expect(plan.post.some((s) => s.includes('OWNED BY "Other Schema"'))).toBe(false);
    expect(plan.post.some((s) => s.includes('person_id_seq'))).toBe(false);
  });

  it('creates only what the chosen tables need', () => {
    const partial = planDdl(shop, [
      { schema: 'public', name: 'invoice' },
      { schema: 'public', name: 'event_log_archive' },
    ]);
    const text = partial.pre.join('\n');
    expect(text).toContain('CREATE TYPE "public"."mood"');
    expect(text).not.toContain('unused_enum');
    expect(text).not.toContain('unused_seq');
    expect(text).not.toContain('ticket_ref_seq');
    expect(text).not.toContain('"Other Schema"');
    // Without its parent the child is a plain table with all its columns and the inherited CHECK.
    expect(partial.pre).toContain(
      'CREATE TABLE "public"."event_log_archive" ("id" integer NOT NULL, "message" text NOT NULL, "archived_at" timestamp with time zone NOT NULL)',
    );
    expect(text).toContain('ALTER TABLE "public"."event_log_archive" ADD CONSTRAINT "message_not_blank" CHECK');
    // A foreign key to a table outside the dataset cannot be created.
    const ticketOnly = planDdl(shop, [{ schema: 'Other Schema', name: 'ticket' }]);
    expect(ticketOnly.post.some((s) => s.includes('FOREIGN KEY'))).toBe(false);
  });

  it('refuses tables the catalog does not describe', () => {
    expect(() => planDdl(shop, [{ schema: 'public', name: 'nope' }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('resets by dropping the tables (CASCADE) and then the types, never a schema', () => {
    const reset = planReset(datasetObjects(shop, all));
    expect(reset[0]).toMatch(/^DROP TABLE IF EXISTS .*"public"."invoice".* CASCADE$/);
    expect(reset.indexOf('DROP DOMAIN IF EXISTS "public"."a_mood_list"')).toBeLessThan(reset.indexOf('DROP DOMAIN IF EXISTS "public"."z_mood_domain"'));
    expect(reset.indexOf('DROP DOMAIN IF EXISTS "public"."z_mood_domain"')).toBeLessThan(reset.indexOf('DROP TYPE IF EXISTS "public"."mood"'));
    expect(reset.some((s) => /SCHEMA/.test(s))).toBe(false);
  });
});
