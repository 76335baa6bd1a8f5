/**
 * readCatalog on the edge-shapes fixture, on PGlite and on PostgreSQL: primary, unique and foreign
 * keys, FK cycles, partitions and INHERITS children, CHECKs, quoted identifiers, indexes and the
 * second schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types.ts';
import { closeEdgeShapes, column, edgeShapes, engines, foreignKey, table } from './support/edge-shapes.ts';

afterAll(closeEdgeShapes);

for (const engine of engines) {
  describe.skipIf(engine.skip)(`readCatalog on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let catalog: Catalog;
    beforeAll(async () => {
      ({ catalog } = await edgeShapes(engine));
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
  });
}
