import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { contextSignals } from '../src/pii/detectors/context.ts';
import { documentSignals } from '../src/pii/detectors/documents.ts';
import { entitiesIn, freeTextParams, freeTextSignals, isProse } from '../src/pii/detectors/free-text.ts';
import { matchColumnName } from '../src/pii/detectors/name-rules.ts';
import { combineEvaluations, evaluate, type LabelFile } from '../src/pii/evaluate.ts';
import { isFirstName, isLastName, nameDictionarySizes } from '../src/pii/person-names.ts';
import { personEvidence } from '../src/pii/table-meaning.ts';
import { categoryOf, PII_TYPES, TAXONOMY, techniqueFor } from '../src/pii/taxonomy.ts';
import type { ColumnSample, PiiType, TableContext } from '../src/pii/types.ts';
import { isBsn, isUkNino, isValidPhoneNumber } from '../src/pii/validators.ts';
import { valueRulesParams, valueSignals } from '../src/pii/detectors/value-rules.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable } from './support/databases.ts';
import { loadSqlScript } from './support/load-sql.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const ctx = (columns: string[], referencedBy: TableContext['referencedBy'] = [], references: TableContext['references'] = []): TableContext => ({
  columns,
  references,
  referencedBy,
});
const col = (over: Partial<ColumnSample> & { column: string }): ColumnSample => ({
  schema: 'public',
  table: 't',
  dataType: 'text',
  isKey: false,
  values: [],
  ...over,
});

describe('taxonomy', () => {
  it('every type has a category and a technique; location keeps distributions', () => {
    for (const t of PII_TYPES) expect(TAXONOMY[t].technique.length).toBeGreaterThan(0);
    expect(categoryOf('BLOOD_TYPE')).toBe('HEALTH');
    expect(categoryOf('SALARY')).toBe('EMPLOYMENT');
    expect(categoryOf('IBAN')).toBe('FINANCIAL');
    expect(categoryOf('REGION')).toBe('LOCATION');
    expect(categoryOf('SHOE_SIZE')).toBe('NONE');
    expect([TAXONOMY.COUNTRY.technique, TAXONOMY.CITY.technique, TAXONOMY.POSTAL_CODE.technique]).toEqual(['keep', 'shuffle', 'generalize']);
    expect(techniqueFor('FREE_TEXT_PERSONAL', 'json')).toBe('null');
    expect(techniqueFor('FREE_TEXT_PERSONAL', 'text')).toBe('redact');
  });
});

describe('multilingual column names', () => {
  it.each<[string, string, PiiType | null]>([
    ['mitarbeiter', 'vorname', 'FIRST_NAME'],
    ['mitarbeiter', 'durchwahl', 'PHONE_EXTENSION'],
    ['mitarbeiter', 'gehalt', 'SALARY'],
    ['mitarbeiter', 'bewertung', 'PERFORMANCE_RATING'],
    ['clientes', 'provincia', 'REGION'],
    ['t', 'fname', 'FIRST_NAME'],
    ['t', 'dob', 'DATE_OF_BIRTH'],
    ['t', 'tel', 'PHONE'],
    ['customer', 'addr', 'ADDRESS'],
    ['customer', 'zip', 'POSTAL_CODE'],
    ['t', 'nhs_no', 'NATIONAL_ID'],
    ['t', 'blood_group', 'BLOOD_TYPE'],
    ['t', 'groupe_sanguin', 'BLOOD_TYPE'],
    ['t', 'diagnosis_code', 'HEALTH_CONDITION'],
    ['t', 'medicamento', 'MEDICATION'],
    ['patient', 'weight', 'VITAL_SIGN'],
    ['product', 'weight', null],
    ['film', 'rating', null],
    ['employee_review', 'rating', 'PERFORMANCE_RATING'],
    ['t', 'badge_number', 'PERSONAL_ID'],
    ['t', 'membership_no', 'PERSONAL_ID'],
    ['t', 'api_key', 'SECRET'],
    ['t', 'fingerprint', 'BIOMETRIC'],
    ['t', 'salary_amount', 'SALARY'],
    ['customer', 'country_code', 'COUNTRY'],
    ['orders', 'shipping_region', 'REGION'],
    ['t', 'notes', 'FREE_TEXT_PERSONAL'],
    ['film', 'description', null],
    ['file', 'extension', null],
    ['job_log', 'message', null],
    ['ticket', 'message', 'FREE_TEXT_PERSONAL'],
    ['employees', 'position', null],
    ['results', 'race', null],
    ['patients', 'race', 'ETHNICITY'],
    ['clientes', 'estado', null],
    ['users', 'signature', null],
  ])('%s.%s → %s', (table, column, expected) => expect(matchColumnName(table, column)?.piiType ?? null).toBe(expected));

  it('a bare name counts on a table that is about people by its neighbours, not by its name', () => {
    expect(matchColumnName('roster_x', 'name')).toBeNull();
    const withAttributes = ctx(['id', 'name', 'email', 'birth_date']);
    expect(matchColumnName('roster_x', 'name', { context: withAttributes })?.piiType).toBe('FULL_NAME');
    const referenced = ctx(['id', 'name'], [{ table: 'project', columns: ['mentor_id'] }]);
    expect(personEvidence({ table: 'advisors_x', context: referenced })).toMatchObject({ person: true });
    expect(matchColumnName('advisors_x', 'name', { context: referenced })?.piiType).toBe('FULL_NAME');
    const hierarchy = ctx(['id', 'name'], [{ table: 'category', columns: ['parent_id'] }]);
    expect(matchColumnName('category', 'name', { context: hierarchy })).toBeNull();
  });
});

describe('name dictionaries', () => {
  it('hold given names and surnames of many countries', () => {
    const sizes = nameDictionarySizes();
    expect(sizes.locales).toBeGreaterThanOrEqual(20);
    expect(sizes.firstNames).toBeGreaterThan(5000);
    for (const n of ['Wolfgang', 'Søren', 'Lucía', 'João', 'Bram', 'Giulia', 'Małgorzata']) expect([n, isFirstName(n)]).toEqual([n, true]);
    for (const n of ['Müller', 'Dubois', 'García', 'Jansen', 'Rossi', 'Kowalski']) expect([n, isLastName(n)]).toEqual([n, true]);
  });
});

describe('validators for national ids', () => {
  it.each([
    ['AB123456C', true],
    ['AB 12 34 56 C', true],
    ['QQ123456A', false],
    ['GB123456A', false],
    ['AB123456E', false],
  ])('NINO %s → %s', (v, ok) => expect(isUkNino(v)).toBe(ok));
  it.each([
    ['111222333', true],
    ['123456782', true],
    ['123456789', false],
    ['999999999', false],
  ])('BSN %s → %s', (v, ok) => expect(isBsn(v)).toBe(ok));
});

describe('phone numbers by country (libphonenumber metadata)', () => {
  it.each([
    ['+55 (12) 3923-5555', true],
    ['+49 0711 2842222', true],
    ['0044 20 7946 0958', true],
    ['030 1234567', true],
    ['06-12345678', true],
    ['612 345 678', true],
    ['(780) 428-9482 x12', true],
    ['4111111111111111', false],
    ['123456789', false],
    ['+99 123 456 789', false],
  ])('%s → %s', (v, ok) => expect(isValidPhoneNumber(v)).toBe(ok));

  it('valid numbers are stronger evidence than digit runs of the right length', () => {
    const params = valueRulesParams.parse({});
    const confidence = (values: string[]) => valueSignals(col({ column: 'c', values }), params, NOW).find((s) => s.piiType === 'PHONE')?.confidence ?? 0;
    const real = ['+44 20 7946 0958', '+33 1 42 68 53 00', '+49 711 2842222', '+1 780 428 9482'];
    const digits = ['100200300400', '555000111222', '987650001234', '120000000009'];
    expect(confidence(real)).toBe(0.75);
    expect(confidence(digits)).toBeLessThan(0.5);
  });
});

describe('context rules', () => {
  const types = (c: ColumnSample) => contextSignals(c).map((s) => s.piiType);
  it('amount in a pay table is salary; in payments it is not', () => {
    expect(types(col({ table: 'payroll', column: 'amount', dataType: 'numeric' }))).toEqual(['SALARY']);
    expect(types(col({ table: 'wages', column: 'gross', dataType: 'numeric' }))).toEqual(['SALARY']);
    expect(types(col({ table: 'payment', column: 'amount', dataType: 'numeric' }))).toEqual([]);
  });
  it('health tables of a person: measurements and descriptions are health data', () => {
    const owned = ctx(['id', 'patient_id', 'code', 'value'], [], [{ table: 'patients', columns: ['patient_id'] }]);
    expect(types(col({ table: 'diagnoses', column: 'code', context: owned }))).toEqual(['HEALTH_CONDITION']);
    expect(types(col({ table: 'lab_results', column: 'value', dataType: 'numeric', context: owned }))).toEqual(['VITAL_SIGN']);
    expect(types(col({ table: 'diagnoses', column: 'code', context: ctx(['id', 'code']) }))).toEqual([]);
  });
});

describe('free text', () => {
  const params = freeTextParams.parse({});
  it('finds the entities people leave in notes, never quoting them', () => {
    expect([...entitiesIn('call Maria Santos on +44 20 7946 0958 or maria@example.org')].sort()).toEqual(['e-mail', 'person name', 'phone']);
    expect([...entitiesIn('the card 4111 1111 1111 1111 was charged twice')]).toEqual(['card number']);
    expect(entitiesIn('A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher').size).toBe(0);
    expect(isProse('Angus Young, Malcolm Young, Brian Johnson')).toBe(false);
    const values = ['please call me back on +33 1 42 68 53 00', 'the app crashes on start', 'write to laura.bianchi@example.it today', 'all fine now, thanks'];
    const [s] = freeTextSignals(col({ column: 'body', values }), params);
    expect([s?.piiType, s?.matched, s?.sampled]).toEqual(['FREE_TEXT_PERSONAL', 2, 4]);
    expect(s?.evidence).not.toContain('laura');
    expect(freeTextSignals(col({ column: 'body', values: ['the app crashes on start', 'works as designed here', 'closed by the reporter'] }), params)).toEqual(
      [],
    );
  });
  it('JSON documents: health keys make a health record', () => {
    const values = ['{"conditions": ["asthma"], "medications": ["salbutamol"], "smoker": true}', '{"conditions": [], "medications": []'];
    expect(documentSignals(col({ table: 'patients', column: 'history', dataType: 'jsonb', values }))[0]?.piiType).toBe('HEALTH_RECORD');
    expect(documentSignals(col({ table: 'transaction', column: 'settings', dataType: 'json', values: ['{"vacation": false, "travel": true}'] }))).toEqual([]);
  });
});

const labels = JSON.parse(readFileSync(new URL('./fixtures/pii/people.labels.json', import.meta.url), 'utf8')) as LabelFile;
const script = readFileSync(new URL('./fixtures/pii/people.sql', import.meta.url), 'utf8');
const pg = await pgAvailable();

describe('own labelled fixture (people.sql, runs without the shared fixtures)', () => {
  it('with sampled values and from names and context alone', async () => {
    const db = pg ? await createTestDatabase('pii_people') : await createPgliteUrl({ memory: true });
    const sql = await openSqlClient(db.url);
    try {
      await loadSqlScript(sql, script);
      const catalog = await readCatalog(sql, ['public']);
      const withValues = evaluate(await classifyCatalog(sql, catalog, { now: NOW }), labels.columns);
      const namesOnly = evaluate(await classifyCatalog(sql, catalog, { now: NOW, sampleValues: false }), labels.columns);
      console.log('[pii] people.sql with values', withValues.overall, withValues.errors);
      console.log('[pii] people.sql names only', namesOnly.overall, namesOnly.errors);
      expect(withValues.unlabelled).toEqual([]);
      expect(withValues.overall.precision).toBeGreaterThanOrEqual(0.95);
      expect(withValues.overall.recall).toBeGreaterThanOrEqual(0.9);
      for (const c of ['HEALTH', 'EMPLOYMENT', 'FINANCIAL', 'FREE_TEXT', 'LOCATION', 'DIRECT_IDENTIFIER'] as const)
        expect([c, withValues.byCategory[c]?.recall]).toEqual([c, expect.any(Number)]);
      // Without values, name and context rules still find most columns, and flag nothing wrongly.
      expect(namesOnly.overall.precision).toBeGreaterThanOrEqual(0.95);
      expect(namesOnly.overall.recall).toBeGreaterThanOrEqual(0.7);
      expect(combineEvaluations([withValues, namesOnly]).overall.truePositives).toBe(withValues.overall.truePositives + namesOnly.overall.truePositives);
    } finally {
      await sql.close();
      await db.drop();
    }
  });
});

describe('names of public sample schemas not in the repository (structure only, no rows)', () => {
  it('Northwind, AdventureWorks, employees, Synthea and airlines names: precision ≥ 0.95, recall ≥ 0.9 from names and context', async () => {
    const db = await createPgliteUrl({ memory: true });
    const sql = await openSqlClient(db.url);
    try {
      await sql.exec(readFileSync(new URL('./fixtures/pii/public-schemas.sql', import.meta.url), 'utf8'));
      const publicLabels = JSON.parse(readFileSync(new URL('./fixtures/pii/public-schemas.labels.json', import.meta.url), 'utf8')) as LabelFile;
      const e = evaluate(await classifyCatalog(sql, await readCatalog(sql, ['public']), { now: NOW }), publicLabels.columns);
      console.log('[pii] public schemas', e.overall, e.errors);
      expect(e.unlabelled).toEqual([]);
      expect(e.overall.precision).toBeGreaterThanOrEqual(0.95);
      expect(e.overall.recall).toBeGreaterThanOrEqual(0.9);
      expect(e.byCategory.HEALTH?.recall).toBe(1);
      expect(e.byCategory.LOCATION?.recall).toBe(1);
    } finally {
      await sql.close();
      await db.drop();
    }
  });
});
