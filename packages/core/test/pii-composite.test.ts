/**
 * Values inside composite-type columns (and arrays of them), arrays of plain values and JSON documents: sampled as
 * JSON, read attribute by attribute by the value rules, judged with the attribute names; the
 * evidence names the attribute. On the real PostgreSQL (when it answers) and on PGlite.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { attributeParams, attributeSignals, documentLeaves } from '../src/pii/detectors/attributes.ts';
import type { ColumnSample, PiiClassificationResult } from '../src/pii/types.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const params = attributeParams.parse({});

describe('document leaves', () => {
  it.each([
    ['composite as JSON', ['{"label": "home", "email": "a@example.org"}'], { label: ['home'], email: ['a@example.org'] }],
    ['array of composites', ['[{"email": "a@x.org"}, {"email": "b@x.org", "phone": null}]'], { email: ['a@x.org', 'b@x.org'] }],
    [
      'nested document',
      ['{"owner": {"reach": "a@x.org", "age": 41}, "tags": ["t1", "t2"]}'],
      { 'owner.reach': ['a@x.org'], 'owner.age': ['41'], tags: ['t1', 't2'] },
    ],
    ['document cut short', ['{"owner": {"reach": "a@x.org", "note": "unfinished'], { reach: ['a@x.org'] }],
    ['scalar document', ['"just text"', '42'], {}],
  ])('%s', (_label, values, expected) => expect(Object.fromEntries(documentLeaves(values))).toEqual(expected));

  it('names the attribute that matched and never a value; a UUID attribute does not discount the column', () => {
    const values = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `6f1c2b1e-0c3a-4f7e-9a51-00000000000${i}`, mail: `p${i}@example.org` }));
    const column: ColumnSample = { schema: 'public', table: 'lead', column: 'reach', dataType: 'public.contact', typeKind: 'composite', isKey: false, values };
    const signals = attributeSignals(column, params, NOW);
    expect(signals).toEqual([
      expect.objectContaining({ detector: 'attributes', piiType: 'EMAIL', rule: 'attribute:mail/value:email', matched: 10, sampled: 10 }),
    ]);
    expect(signals[0]?.evidence).toMatch(/^attribute "mail": 100% of 10 sampled values are valid e-mail addresses$/);
    expect(JSON.stringify(signals)).not.toContain('example.org');
    // Plain text columns are the value rules' business, not this detector's.
    expect(attributeSignals({ ...column, dataType: 'text', typeKind: 'base' }, params, NOW)).toEqual([]);
  });
});

const SCHEMA = `
create type contact as (label text, email text, phone text);
create type place_t as (lat numeric(9, 6), lon numeric(9, 6), city text);
create type coords_t as (latitude double precision, longitude double precision);
create type reading_t as (code text, level int);
create type checkup_t as (taken_on date, blood_group text, findings text);
create table customer (
  id int primary key,
  reach contact,
  home place_t,
  spot coords_t,
  others contact[],
  reading reading_t,
  last_visit checkup_t,
  history jsonb,
  meta jsonb,
  aliases text[],
  lines text[],
  scores int[]
);
insert into customer
select i,
  row('main', 'person' || i || '@example.org', '+1 415 555 ' || lpad((1000 + i)::text, 4, '0'))::contact,
  row(40 + i / 100.0, -3 - i / 100.0, (array['Madrid', 'Lyon', 'Porto', 'Leeds'])[1 + i % 4])::place_t,
  row(51 + i / 1000.0, 0.1 * i)::coords_t,
  array[row('work', 'w' || i || '@example.com', null)::contact, row('old', 'o' || i || '@example.net', null)::contact],
  row('R' || i, i % 7)::reading_t,
  row(date '2025-01-01' + i, (array['O+', 'A-', 'B+', 'AB+'])[1 + i % 4], 'mild asthma')::checkup_t,
  jsonb_build_object('ref', repeat('x', 300), 'visits', jsonb_build_array(jsonb_build_object('on', '2024-01-02', 'diagnosis', 'asthma', 'blood_type', 'O+'))),
  jsonb_build_object('owner', jsonb_build_object('reach', 'own' || i || '@example.org'), 'tags', jsonb_build_array('a', 'b')),
  array['x' || i || '@example.org', 'y' || i || '@example.com'],
  array['+44 20 7946 ' || lpad((100 + i)::text, 4, '0')],
  array[i, i + 1]
from generate_series(1, 40) i;`;

const engines: { kind: string; open: () => Promise<TestDatabase> }[] = [{ kind: 'pglite', open: () => createPgliteUrl({ memory: true }) }];
if (await pgAvailable()) engines.unshift({ kind: 'postgres', open: () => createTestDatabase('pii_composite') });

describe.each(engines)('composite and document columns ($kind)', ({ open }) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('flags the composite, array and JSON columns by what their attributes hold', { timeout: 120_000 }, async () => {
    const db = await open();
    dbs.push(db);
    const sql = await openSqlClient(db.url);
    let results: PiiClassificationResult[];
    let namesOnly: PiiClassificationResult[];
    try {
      await sql.exec(SCHEMA);
      const catalog = await readCatalog(sql, ['public']);
      results = await classifyCatalog(sql, catalog, { now: NOW });
      namesOnly = await classifyCatalog(sql, catalog, { now: NOW, sampleValues: false });
    } finally {
      await sql.close();
    }
    const get = (rs: PiiClassificationResult[], c: string) => rs.find((r) => r.column === c) as PiiClassificationResult;
    const rules = (c: string) => get(results, c).evidence.map((e) => e.rule);

    expect(get(results, 'reach')).toMatchObject({ piiType: 'EMAIL', category: 'DIRECT_IDENTIFIER', technique: 'null' });
    expect(rules('reach')).toEqual(expect.arrayContaining(['attribute:email/value:email', 'attribute:phone/value:phone', 'attribute-name:email/name:email']));
    expect(get(results, 'reach').evidence.find((e) => e.rule === 'attribute:email/value:email')).toMatchObject({ matched: 40, sampled: 40 });

    // Coordinates and a city: the city is confirmed by its values (place names), the coordinates by their names.
    expect(get(results, 'home')).toMatchObject({ piiType: 'CITY', category: 'LOCATION', technique: 'shuffle' });
    expect(rules('home')).toEqual(expect.arrayContaining(['attribute-name:lat/name:lat', 'attribute-name:city/name:city']));
    expect(get(results, 'spot')).toMatchObject({ piiType: 'GEO_LOCATION', category: 'LOCATION', technique: 'shuffle' });
    expect(get(results, 'spot').evidence.find((e) => e.rule?.startsWith('attribute-name:latitude'))?.evidence).toMatch(
      /^attribute "latitude": column name matches/,
    );

    // An array of composites: every element's attributes are read.
    expect(get(results, 'others')).toMatchObject({ piiType: 'EMAIL', category: 'DIRECT_IDENTIFIER' });
    expect(get(results, 'others').evidence.find((e) => e.rule === 'attribute:email/value:email')).toMatchObject({ matched: 80, sampled: 80 });

    // Health data nested in JSONB, past the first few hundred characters of the document.
    expect(get(results, 'history')).toMatchObject({ piiType: 'HEALTH_RECORD', category: 'HEALTH', technique: 'null' });
    // An e-mail under a key that says nothing, nested in a document.
    expect(get(results, 'meta')).toMatchObject({ piiType: 'EMAIL', category: 'DIRECT_IDENTIFIER', technique: 'null' });
    expect(get(results, 'meta').evidence[0]?.evidence).toMatch(/^attribute "owner\.reach": 100% of 40 sampled values are valid e-mail addresses/);

    // Health data in a composite: its attribute names and values say so.
    expect(get(results, 'last_visit')).toMatchObject({ category: 'HEALTH', technique: 'shuffle' });
    expect(rules('last_visit')).toEqual(expect.arrayContaining([expect.stringMatching(/^attribute-name:blood_group\//)]));

    // Arrays of plain values: the elements are read; the column name says little.
    expect(get(results, 'aliases')).toMatchObject({ piiType: 'EMAIL', category: 'DIRECT_IDENTIFIER' });
    expect(get(results, 'aliases').evidence.find((e) => e.rule === 'elements:aliases/value:email')).toMatchObject({ matched: 80, sampled: 80 });
    expect(get(results, 'aliases').evidence.find((e) => e.rule === 'elements:aliases/value:email')?.evidence).toMatch(/^elements: 100% of 80/);
    expect(get(results, 'lines')).toMatchObject({ piiType: 'PHONE' });
    expect(get(results, 'scores').piiType).toBe('NONE');
    expect(get(namesOnly, 'aliases').piiType).toBe('NONE');

    // A composite of codes and numbers is not personal.
    expect(get(results, 'reading').piiType).toBe('NONE');

    // Without values the attribute names still speak; the e-mail hidden under `reach` does not.
    expect(get(namesOnly, 'reach').piiType).toBe('EMAIL');
    expect(get(namesOnly, 'home').category).toBe('LOCATION');
    expect(get(namesOnly, 'spot').piiType).toBe('GEO_LOCATION');
    expect(get(namesOnly, 'meta').piiType).toBe('NONE');
  });
});
