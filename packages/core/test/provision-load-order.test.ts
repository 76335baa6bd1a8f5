/**
 * The load order of a dataset's tables (fkLoadOrder) and the reading of the names planDdl gets
 * from the catalog (type names, index definitions), on hand-built catalogs, without a database.
 */
import { describe, expect, it } from 'vitest';
import type { TableDef } from '../src/catalog/types.ts';
import { withoutOnly } from '../src/provision/ddl.ts';
import { fkLoadOrder } from '../src/provision/load-order.ts';
import { parseTypeName } from '../src/provision/objects.ts';
import { col, tbl } from './support/catalog-builders.ts';

describe('fkLoadOrder', () => {
  const fk = (name: string, to: string) => ({
    name,
    columns: ['x'],
    referencedSchema: 'public',
    referencedTable: to,
    referencedColumns: ['id'],
    onDelete: 'NO ACTION' as const,
    onUpdate: 'NO ACTION' as const,
    matchType: 'SIMPLE' as const,
    deferrable: false,
    initiallyDeferred: false,
    notValid: false,
  });
  const names = (ts: TableDef[]) => ts.map((t) => t.name);

  it.each([
    {
      case: 'chain',
      tables: [
        ['c', ['b']],
        ['b', ['a']],
        ['a', []],
      ],
      order: ['a', 'b', 'c'],
    },
    {
      case: 'self-reference ignored',
      tables: [
        ['emp', ['emp', 'dept']],
        ['dept', []],
      ],
      order: ['dept', 'emp'],
    },
    {
      case: 'two-table cycle broken at the first',
      tables: [
        ['player', ['team']],
        ['team', ['player']],
        ['goal', ['player']],
      ],
      order: ['player', 'team', 'goal'],
    },
    { case: 'reference outside the dataset ignored', tables: [['a', ['elsewhere']]], order: ['a'] },
  ] as { case: string; tables: [string, string[]][]; order: string[] }[])('$case', ({ tables, order }) => {
    const defs = tables.map(([name, refs]) => tbl(`public.${name}`, [col('x', 'integer')], { foreignKeys: refs.map((r, i) => fk(`fk${i}`, r)) }));
    expect(names(fkLoadOrder(defs))).toEqual(order);
  });
});

describe('name parsing', () => {
  it.each([
    ['public.mood', { schema: 'public', name: 'mood' }],
    ['public.mood[]', { schema: 'public', name: 'mood' }],
    ['"Other Schema"."My ""Type"""', { schema: 'Other Schema', name: 'My "Type"' }],
    ['public."bıgınt"', { schema: 'public', name: 'bıgınt' }],
    ['character varying(10)', null],
    ['double precision[]', null],
    ['integer', null],
    ['timestamp(3) with time zone', null],
  ])('parseTypeName(%s)', (text, expected) => {
    expect(parseTypeName(text)).toEqual(expected);
  });

  it.each([
    ['CREATE INDEX i ON ONLY public.p USING btree (a)', 'CREATE INDEX i ON public.p USING btree (a)'],
    ['CREATE UNIQUE INDEX "x ON ONLY y" ON ONLY "S"."p" USING btree (a)', 'CREATE UNIQUE INDEX "x ON ONLY y" ON "S"."p" USING btree (a)'],
    ['CREATE INDEX "a""b" ON public.p USING btree (a)', 'CREATE INDEX "a""b" ON public.p USING btree (a)'],
  ])('withoutOnly(%s)', (definition, expected) => {
    expect(withoutOnly(definition)).toBe(expected);
  });
});
