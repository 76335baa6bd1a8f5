/**
 * readCatalog on the project's own edge-shapes fixture (test/fixtures/edge-shapes.sql), on PGlite and
 * on the real PostgreSQL server: tables, enums, domains and columns (defaults, identity, serial,
 * generated). Keys, cycles and partitions: catalog-keys.test.ts; schemas asked for, row counts and
 * catalogHash: catalog-hash.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types.ts';
import { closeEdgeShapes, column, edgeShapes, engines, PUBLIC_TABLES, SCHEMAS, table } from './support/edge-shapes.ts';

afterAll(closeEdgeShapes);

for (const engine of engines) {
  describe.skipIf(engine.skip)(`readCatalog on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let catalog: Catalog;
    beforeAll(async () => {
      ({ catalog } = await edgeShapes(engine));
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
  });
}
