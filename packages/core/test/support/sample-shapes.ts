/**
 * What each shared sample database is known for, as checks on the catalog TDM discovers from it
 * (discover-fixtures.test.ts runs each as a test of its own).
 */
import { expect } from 'vitest';
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../../src/catalog/types.ts';
import type { FixtureName } from './load-sql.ts';

function table(catalog: Catalog, name: string): TableDef {
  const t = catalog.tables.find((x) => x.schema === 'public' && x.name === name);
  if (!t) throw new Error(`table public.${name} is not in the catalog`);
  return t;
}
function column(catalog: Catalog, tableName: string, name: string): ColumnDef {
  const c = table(catalog, tableName).columns.find((x) => x.name === name);
  if (!c) throw new Error(`column ${name} is not in public.${tableName}`);
  return c;
}
function foreignKey(catalog: Catalog, tableName: string, name: string): ForeignKeyDef {
  const fk = table(catalog, tableName).foreignKeys.find((x) => x.name === name);
  if (!fk) throw new Error(`foreign key ${name} is not on public.${tableName}`);
  return fk;
}

export const tablesOnly = (c: Catalog) => c.tables.filter((t) => t.partitionOf === null);
export const partitionsOnly = (c: Catalog) => c.tables.filter((t) => t.partitionOf !== null);

const months = (prefix: string, n: number) => Array.from({ length: n }, (_v, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);

/** What each sample database is known for, checked on the catalog document stored for its version. */
export const shapes: Record<FixtureName, [string, (c: Catalog) => void][]> = {
  pagila: [
    [
      'payment is RANGE-partitioned into 7 DECLARATIVE partitions linked to public.payment',
      (c) => {
        expect(table(c, 'payment')).toMatchObject({ kind: 'PARTITIONED_TABLE', partitionKey: 'RANGE (payment_date)', partitionOf: null });
        const parts = partitionsOnly(c);
        expect(parts.map((t) => t.name)).toEqual(months('payment_p2022_', 7));
        for (const p of parts) {
          expect(p).toMatchObject({ kind: 'TABLE', partitionOf: 'public.payment', partitionKind: 'DECLARATIVE' });
          expect(p.partitionBound).toMatch(/^FOR VALUES FROM \('.+'\) TO \('.+'\)$/);
        }
      },
    ],
    [
      'has 36 FKs, 18 of them on the partitions (customer, rental and staff on payment_p2022_01..06)',
      (c) => {
        expect(c.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(36);
        expect(partitionsOnly(c).map((t) => t.foreignKeys.map((fk) => fk.referencedTable))).toEqual([
          ...months('', 6).map(() => ['customer', 'rental', 'staff']),
          [],
        ]);
        expect(table(c, 'payment').foreignKeys).toEqual([]);
      },
    ],
    [
      'film_actor and film_category have composite PKs',
      (c) => {
        expect(table(c, 'film_actor').primaryKey?.columns).toEqual(['actor_id', 'film_id']);
        expect(table(c, 'film_category').primaryKey?.columns).toEqual(['film_id', 'category_id']);
      },
    ],
    [
      'enum mpaa_rating keeps its labels in order (film.rating)',
      (c) => {
        expect(c.enums).toEqual([{ schema: 'public', name: 'mpaa_rating', labels: ['G', 'PG', 'PG-13', 'R', 'NC-17'] }]);
        expect(column(c, 'film', 'rating')).toMatchObject({ typeKind: 'enum', typeName: 'mpaa_rating' });
      },
    ],
    [
      'domain year types film.release_year; the domain "bıgınt" keeps its dotless i',
      (c) => {
        expect(column(c, 'film', 'release_year')).toMatchObject({ typeKind: 'domain', typeSchema: 'public', typeName: 'year' });
        expect(c.domains.map((d) => [d.name, d.baseType, d.checks.length])).toEqual([
          ['bıgınt', 'bigint', 0],
          ['year', 'integer', 1],
        ]);
      },
    ],
    [
      'film.fulltext is a NOT NULL tsvector',
      (c) => {
        expect(column(c, 'film', 'fulltext')).toMatchObject({ dataType: 'tsvector', typeKind: 'base', nullable: false });
      },
    ],
    [
      'serial columns find their sequences although pagila never says OWNED BY',
      (c) => {
        expect(column(c, 'customer', 'customer_id')).toMatchObject({ identity: null, sequence: 'public.customer_customer_id_seq' });
        expect(column(c, 'payment_p2022_03', 'payment_id').sequence).toBe('public.payment_payment_id_seq');
        const unresolved = c.tables.flatMap((t) =>
          t.columns.filter((col) => col.default?.startsWith('nextval(') && !col.sequence).map((col) => `${t.name}.${col.name}`),
        );
        expect(unresolved).toEqual([]);
        expect(c.sequences.find((s) => s.name === 'customer_customer_id_seq')?.ownedBy).toBe('public.customer.customer_id');
        expect(c.sequences.find((s) => s.name === 'payment_payment_id_seq')?.ownedBy).toBe('public.payment.payment_id');
      },
    ],
  ],
  sakila: [
    [
      'staff and store reference each other (both edges of the cycle)',
      (c) => {
        expect(foreignKey(c, 'staff', 'staff_store_id_fkey')).toMatchObject({
          columns: ['store_id'],
          referencedTable: 'store',
          referencedColumns: ['store_id'],
        });
        expect(foreignKey(c, 'store', 'store_manager_staff_id_fkey')).toMatchObject({
          columns: ['manager_staff_id'],
          referencedTable: 'staff',
          referencedColumns: ['staff_id'],
        });
      },
    ],
    [
      'payment has 6 INHERITS children linked to public.payment',
      (c) => {
        const children = partitionsOnly(c);
        expect(children.map((t) => t.name)).toEqual(months('payment_p2007_', 6));
        for (const child of children) {
          expect(child).toMatchObject({ kind: 'TABLE', partitionOf: 'public.payment', partitionKind: 'INHERITS', partitionBound: null, primaryKey: null });
          expect(child.foreignKeys.map((fk) => fk.referencedTable)).toEqual(['customer', 'rental', 'staff']);
        }
        // sakila-jooq COPYs every payment into the parent itself: its children are empty.
        expect(table(c, 'payment')).toMatchObject({ kind: 'TABLE', partitionOf: null, rowCount: 16049, ownRowCount: 16049 });
        expect(children.map((t) => t.rowCount)).toEqual([0, 0, 0, 0, 0, 0]);
      },
    ],
  ],
  chinook: [
    [
      'employee.reports_to references employee itself',
      (c) => {
        expect(foreignKey(c, 'employee', 'employee_reports_to_fkey')).toMatchObject({
          columns: ['reports_to'],
          referencedSchema: 'public',
          referencedTable: 'employee',
          referencedColumns: ['employee_id'],
        });
      },
    ],
    [
      'playlist_track has a composite PK',
      (c) => {
        expect(table(c, 'playlist_track').primaryKey).toEqual({ name: 'playlist_track_pkey', columns: ['playlist_id', 'track_id'] });
      },
    ],
  ],
  world: [
    [
      'country.capital references city',
      (c) => {
        expect(foreignKey(c, 'country', 'country_capital_fkey')).toMatchObject({ columns: ['capital'], referencedTable: 'city', referencedColumns: ['id'] });
        expect(table(c, 'countrylanguage').primaryKey?.columns).toEqual(['countrycode', 'language']);
      },
    ],
  ],
  edgecases: [
    [
      'keeps the quoted identifiers BadName and "Bad Name 123!@#" exactly',
      (c) => {
        expect(c.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['BadName', 'Bad Name 123!@#']));
        expect(table(c, 'BadName').columns.map((col) => col.name)).toEqual(['ID', 'NAME']);
        expect(table(c, 'Bad Name 123!@#').columns.map((col) => col.name)).toEqual(['ID', 'NAME']);
        expect(c.tables.some((t) => t.name === 'badname')).toBe(false);
      },
    ],
    [
      '"Bad Name 123!@#"."NAME" references the UNIQUE, non-PK column "BadName"."NAME"',
      (c) => {
        expect(table(c, 'Bad Name 123!@#').foreignKeys).toEqual([
          expect.objectContaining({ name: 'Bad Name 123!@#_NAME_fkey', columns: ['NAME'], referencedTable: 'BadName', referencedColumns: ['NAME'] }),
        ]);
        expect(table(c, 'BadName').primaryKey?.columns).toEqual(['ID']);
        expect(table(c, 'BadName').uniques.map((u) => u.columns)).toEqual([['NAME']]);
      },
    ],
    [
      'addresses -> orders -> customers -> addresses form a cycle',
      (c) => {
        expect(foreignKey(c, 'addresses', 'fk_order')).toMatchObject({ columns: ['order_id'], referencedTable: 'orders' });
        expect(foreignKey(c, 'orders', 'fk_customer')).toMatchObject({ columns: ['customer_id'], referencedTable: 'customers' });
        expect(foreignKey(c, 'customers', 'fk_address')).toMatchObject({ columns: ['address_id'], referencedTable: 'addresses' });
      },
    ],
    [
      'tells the identity column from the serial ones',
      (c) => {
        expect(column(c, 'BadName', 'ID')).toMatchObject({ dataType: 'bigint', identity: 'ALWAYS', default: null, sequence: 'public.BadName_ID_seq' });
        expect(column(c, 'Bad Name 123!@#', 'ID')).toMatchObject({ identity: null, sequence: 'public.Bad Name 123!@#_ID_seq' });
        expect(column(c, 'company', 'id')).toMatchObject({ dataType: 'bigint', identity: null, sequence: 'public.company_id_seq' });
      },
    ],
  ],
};
