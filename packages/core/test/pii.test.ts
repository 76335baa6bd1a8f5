import { readFileSync } from 'node:fs';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { BaseMessage } from '@langchain/core/messages';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { combine } from '../src/pii/combine.ts';
import { combineEvaluations, type Evaluation, evaluate, type LabelFile } from '../src/pii/evaluate.ts';
import { createLlmDetector, llmParams, parseLlmAnswer } from '../src/pii/detectors/llm.ts';
import { matchColumnName } from '../src/pii/detectors/name-rules.ts';
import { valueSignals, valueRulesParams } from '../src/pii/detectors/value-rules.ts';
import { detectors, type PiiDetectorDefinition, registerDetector } from '../src/pii/registry.ts';
import { isAddressTable, isPersonTable, tokenize } from '../src/pii/tokens.ts';
import { typeAllows, typeCategory } from '../src/pii/type-gate.ts';
import type { ColumnSample, PiiClassificationResult, PiiSignal, PiiType } from '../src/pii/types.ts';
import { birthYear, isCreditCard, isEmail, isIban, isIpAddress, isPasswordHash, isPhone, isUsSsn, isUuid, luhnValid } from '../src/pii/validators.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture } from './support/load-sql.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const params = valueRulesParams.parse({});

function col(over: Partial<ColumnSample> & { column: string }): ColumnSample {
  return { schema: 'public', table: 't', dataType: 'text', isKey: false, values: [], ...over };
}

describe('tokenize and table meaning', () => {
  it.each([
    ['first_name', ['first', 'name']],
    ['BirthDate', ['birth', 'date']],
    ['IPAddress', ['ip', 'address']],
    ['address2', ['address', '2']],
    ['Bad Name 123!@#', ['bad', 'name', '123']],
    ['Teléfono', ['telefono']],
    ['Straße', ['strasse']],
    ['e_mail', ['e', 'mail']],
  ])('%s → %j', (name, tokens) => expect(tokenize(name)).toEqual(tokens));

  it.each([
    ['customer', true],
    ['customers', true],
    ['staff', true],
    ['actor', true],
    ['Mitarbeiter', true],
    ['utilisateur', true],
    ['artist', false],
    ['album', false],
    ['genre', false],
    ['city', false],
    ['country', false],
    ['Bad Name 123!@#', false],
  ])('person-like table %s: %s', (t, expected) => expect(isPersonTable(t)).toBe(expected));

  it.each([
    ['address', true],
    ['addresses', true],
    ['invoice', true],
    ['city', false],
    ['store', false],
  ])('address-like table %s: %s', (t, e) => expect(isAddressTable(t)).toBe(e));
});

describe('validators', () => {
  it.each([
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['5500-0000-0000-0004', true],
    ['378282246310005', true],
    ['4111111111111112', false], // Luhn fails
    ['1234567812345670', false], // Luhn passes, no issuer starts with 1
    ['411111111111', false], // too short
  ])('credit card %s → %s', (v, ok) => expect(isCreditCard(v)).toBe(ok));

  it.each([
    ['79927398713', true],
    ['79927398710', false],
    ['0', true],
    ['abc', false],
  ])('luhn %s → %s', (v, ok) => expect(luhnValid(v)).toBe(ok));

  it.each([
    ['DE89370400440532013000', true],
    ['GB82 WEST 1234 5698 7654 32', true],
    ['NL91ABNA0417164300', true],
    ['fr1420041010050500013m02606', true],
    ['DE89370400440532013001', false], // check digits wrong
    ['GB82WEST1234569876543', false], // wrong length for GB
    ['DE8937040044053201300', false],
    ['hello world', false],
  ])('IBAN %s → %s', (v, ok) => expect(isIban(v)).toBe(ok));

  it.each([
    ['MARY.SMITH@sakilacustomer.org', true],
    ['luisg@embraer.com.br', true],
    ["o'brien+tag@mail.example", true],
    ['no-at-sign.example.com', false],
    ['a@b', false],
    ['two@@example.com', false],
    ['.dot@example.com', false],
    ['a..b@example.com', false],
  ])('email %s → %s', (v, ok) => expect(isEmail(v)).toBe(ok));

  it.each([
    ['+55 (12) 3923-5555', true],
    ['+1 (780) 428-9482', true],
    ['+18274665083', true],
    ['030 1234567', true],
    ['06-12345678', true],
    ['555.123.4567 x12', true],
    ['14033335568', true],
    ['12345', false],
    ['2024-05-03', false],
    ['192.168.1.1', false],
    ['1250.00', false],
    ['1234567890123456789', false],
    ['call me', false],
  ])('phone %s → %s', (v, ok) => expect(isPhone(v)).toBe(ok));

  it.each([
    ['123-45-6789', true],
    ['000-12-3456', false],
    ['666-12-3456', false],
    ['912-12-3456', false],
    ['123456789', false],
  ])('SSN %s → %s', (v, ok) => expect(isUsSsn(v)).toBe(ok));

  it.each([
    ['10.0.0.1', true],
    ['256.1.1.1', false],
    ['2001:db8::1', true],
    ['192.168.0.0/16', true],
    ['1.2.3', false],
  ])('IP %s → %s', (v, ok) => expect(isIpAddress(v)).toBe(ok));

  it('uuid and password hashes', () => {
    expect(isUuid('ec3cbe4f-217e-49e0-bc7d-d0c334cc7d3b')).toBe(true);
    expect(isUuid('ec3cbe4f217e49e0bc7dd0c334cc7d3b')).toBe(false);
    expect(isPasswordHash(`$2b$12$${'a'.repeat(53)}`)).toBe(true);
    expect(isPasswordHash('$argon2id$v=19$m=65536,t=3,p=4$abc$def')).toBe(true);
    expect(isPasswordHash('8cb2237d0679ca88db6464eac60da96345513964')).toBe(false);
  });

  it.each([
    ['1962-02-18 00:00:00', 1962],
    ['1899-12-31', null],
    ['2016-01-02', null], // younger than ten years on NOW
    ['2016-01-01', 2016],
    ['2015-12-31', 2015],
    ['not a date', null],
  ])('birth year of %s → %s', (v, year) => expect(birthYear(v, NOW)).toBe(year));
});

describe('name rules', () => {
  it.each<[string, string, PiiType | null]>([
    ['customer', 'email', 'EMAIL'],
    ['t', 'e_mail', 'EMAIL'],
    ['t', 'EmailAddress', 'EMAIL'],
    ['client', 'courriel', 'EMAIL'],
    ['cliente', 'correo', 'EMAIL'],
    ['t', 'phone_number', 'PHONE'],
    ['t', 'mobile', 'PHONE'],
    ['t', 'Telefon', 'PHONE'],
    ['t', 'teléfono', 'PHONE'],
    ['t', 'fax', 'PHONE'],
    ['t', 'firstName', 'FIRST_NAME'],
    ['t', 'given_name', 'FIRST_NAME'],
    ['kunde', 'vorname', 'FIRST_NAME'],
    ['t', 'prenom', 'FIRST_NAME'],
    ['t', 'surname', 'LAST_NAME'],
    ['t', 'family_name', 'LAST_NAME'],
    ['klant', 'achternaam', 'LAST_NAME'],
    ['customer', 'name', 'FULL_NAME'],
    ['order', 'customer_name', 'FULL_NAME'],
    ['artist', 'name', null],
    ['album', 'title', null],
    ['genre', 'name', null],
    ['city', 'name', null],
    ['customer', 'company_name', null],
    ['Bad Name 123!@#', 'NAME', null],
    ['t', 'dob', 'DATE_OF_BIRTH'],
    ['t', 'date_of_birth', 'DATE_OF_BIRTH'],
    ['t', 'Geburtsdatum', 'DATE_OF_BIRTH'],
    ['t', 'ssn', 'NATIONAL_ID'],
    ['t', 'bsn', 'NATIONAL_ID'],
    ['t', 'vat_number', 'TAX_ID'],
    ['t', 'vat_rate', null],
    ['t', 'nif', 'TAX_ID'],
    ['customer', 'address', 'ADDRESS'],
    ['address', 'address2', 'ADDRESS'],
    ['address', 'address_id', null],
    ['customer', 'direccion', 'ADDRESS'],
    ['store', 'address', null],
    ['address', 'street', 'STREET'],
    ['customer', 'city', 'CITY'],
    ['invoice', 'billing_city', 'CITY'],
    ['city', 'city', null],
    ['country', 'country', null],
    ['customer', 'country', 'COUNTRY'],
    ['country', 'country', null],
    ['customer', 'state', 'REGION'],
    ['invoice', 'billing_state', 'REGION'],
    ['address', 'district', 'DISTRICT'],
    ['city', 'district', null],
    ['customer', 'zip', 'POSTAL_CODE'],
    ['kunde', 'plz', 'POSTAL_CODE'],
    ['t', 'iban', 'IBAN'],
    ['t', 'account_number', 'BANK_ACCOUNT'],
    ['t', 'credit_card_number', 'CREDIT_CARD'],
    ['payment', 'card_last4', null],
    ['t', 'ip_address', 'IP_ADDRESS'],
    ['t', 'mac_address', null],
    ['t', 'passport_no', 'PASSPORT'],
    ['t', 'drivers_license', 'DRIVER_LICENSE'],
    ['user', 'username', 'USERNAME'],
    ['t', 'login', 'USERNAME'],
    ['t', 'user_id', null],
    ['t', 'password_hash', 'PASSWORD'],
    ['t', 'passwd', 'PASSWORD'],
    ['t', 'password_reset_token', null],
    ['employee', 'salary', 'SALARY'],
    ['t', 'gender', 'GENDER'],
    ['customer', 'latitude', 'GEO_LOCATION'],
    ['city', 'latitude', null],
    ['staff', 'picture', 'PHOTO'],
    ['t', 'email_verified', null],
    ['t', 'last_update', null],
    ['employee', 'hire_date', null],
    ['t', 'nationality', 'COUNTRY'],
  ])('%s.%s → %s', (table, column, expected) => {
    expect(matchColumnName(table, column)?.piiType ?? null).toBe(expected);
  });
});

describe('value rules', () => {
  const types = (c: ColumnSample) => valueSignals(c, params, NOW).map((s) => s.piiType);
  const emails = ['a@example.com', 'b.c@example.org', 'd@mail.example', 'x+y@example.net', 'z@example.io'];

  it('fires at the share threshold and says the share, never a value', () => {
    const signals = valueSignals(col({ column: 'contact', values: [...emails, 'not an email'] }), params, NOW);
    expect(signals.map((s) => s.piiType)).toEqual(['EMAIL']);
    expect(signals[0]?.evidence).toContain('83% of 6');
    for (const v of emails) expect(JSON.stringify(signals)).not.toContain(v);
    expect(types(col({ column: 'c', values: [...emails.slice(0, 3), 'x', 'y'] }))).toEqual([]); // 60% < 80%
  });

  it('needs a minimum number of non-blank values', () => {
    expect(types(col({ column: 'c', values: ['a@example.com', '', '  '] }))).toEqual([]);
  });

  it.each<[string, string[], PiiType[]]>([
    ['cards', ['4111111111111111', '5500000000000004', '378282246310005', '6011111111111117'], ['CREDIT_CARD']],
    ['random digits', ['4111111111111112', '5500000000000005', '378282246310006', '6011111111111118'], []],
    ['ibans', ['DE89370400440532013000', 'NL91ABNA0417164300', 'GB82WEST12345698765432'], ['IBAN']],
    ['ssns', ['123-45-6789', '234-56-7890', '345-67-8901'], ['NATIONAL_ID']],
    ['ips', ['10.0.0.1', '2001:db8::1', '192.168.1.20'], ['IP_ADDRESS']],
    ['phones', ['+1 (780) 428-9482', '+49 0711 2842222', '+55 (12) 3923-5555'], ['PHONE']],
    ['uuids', ['ec3cbe4f-217e-49e0-bc7d-d0c334cc7d3b', 'f6c7d5b6-9140-4dcb-bc34-648fcb2c8d1f', 'cfba342e-46e5-45d7-8437-7fd7c22dfe0c'], ['NONE']],
    ['bcrypt', [`$2b$12$${'a'.repeat(53)}`, `$2b$12$${'b'.repeat(53)}`, `$2b$12$${'c'.repeat(53)}`], ['PASSWORD']],
    ['city names', ['Kabul', 'Qandahar', 'Herat', 'Amsterdam'], []],
  ])('%s → %j', (_, values, expected) => expect(types(col({ column: 'c', values }))).toEqual(expected));

  it('person names: medium on a person table, weak elsewhere', () => {
    const values = ['Mary Smith', 'John Miller', 'Linda Garcia', 'Pierre Dubois', 'Hans Müller'];
    const onPerson = valueSignals(col({ table: 'customer', column: 'c', values }), params, NOW);
    const onCountry = valueSignals(col({ table: 'country', column: 'headofstate', values }), params, NOW);
    expect(onPerson.map((s) => [s.piiType, s.confidence])).toEqual([['FULL_NAME', 0.7]]);
    expect(onCountry[0]?.confidence).toBeLessThan(0.5);
  });

  it('birth dates: date columns only, plausible years, spread, and not a record timestamp', () => {
    const dobs = ['1962-02-18', '1958-12-08', '1973-08-29', '1947-09-19', '1965-03-03'];
    expect(types(col({ column: 'born', dataType: 'date', values: dobs }))).toEqual(['DATE_OF_BIRTH']);
    expect(types(col({ column: 'created_at', dataType: 'date', values: dobs }))).toEqual([]);
    expect(types(col({ column: 'd', dataType: 'date', values: Array(6).fill('2006-02-15') }))).toEqual([]);
    expect(types(col({ column: 'd', dataType: 'date', values: ['2022-01-01', '2021-05-05', '2020-03-03'] }))).toEqual([]);
    expect(types(col({ column: 'born', dataType: 'text', values: dobs }))).toEqual([]);
  });
});

describe('type gate', () => {
  it.each([
    ['character varying(50)', undefined, 'text'],
    ['integer', undefined, 'integer'],
    ['numeric(5,2)', undefined, 'numeric'],
    ['timestamp with time zone', undefined, 'date'],
    ['boolean', undefined, 'boolean'],
    ['public.email_address', 'text', 'text'],
    ['public.year', 'integer', 'integer'],
    ['text[]', undefined, 'array'],
    ['inet', undefined, 'inet'],
    ['tsvector', undefined, 'other'],
  ])('%s (base %s) → %s', (dataType, baseType, expected) => expect(typeCategory({ dataType, baseType })).toBe(expected));

  it('enum by type kind', () => expect(typeCategory({ dataType: 'public.gender', typeKind: 'enum' })).toBe('enum'));

  it.each<[PiiType, string, boolean]>([
    ['FIRST_NAME', 'integer', false],
    ['EMAIL', 'boolean', false],
    ['PHONE', 'numeric', false],
    ['DATE_OF_BIRTH', 'text', false],
    ['DATE_OF_BIRTH', 'date', true],
    ['SALARY', 'numeric', true],
    ['GENDER', 'enum', true],
    ['NONE', 'boolean', true],
  ])('%s on %s: %s', (t, c, ok) => expect(typeAllows(t, c as never)).toBe(ok));
});

describe('combine', () => {
  const name = (piiType: PiiType, confidence = 0.8): PiiSignal => ({ detector: 'name-rules', piiType, confidence, evidence: 'name' });
  const value = (piiType: PiiType, confidence = 0.75): PiiSignal => ({ detector: 'value-rules', piiType, confidence, evidence: 'values' });
  const llm = (piiType: PiiType, confidence = 0.9): PiiSignal => ({ detector: 'llm', piiType, confidence, evidence: 'llm' });
  const kindOf = (d: string) => (d === 'name-rules' ? 'name' : d === 'llm' ? 'llm' : 'value') as 'name' | 'value' | 'llm';
  const run = (c: ColumnSample, s: PiiSignal[]) => combine(c, s, { kindOf });

  it('name and values agreeing → high confidence', () => {
    const r = run(col({ column: 'email' }), [name('EMAIL'), value('EMAIL')]);
    expect([r.piiType, r.technique, r.source]).toEqual(['EMAIL', 'fake', 'DETECTED']);
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('values only → medium; name only → the rule confidence', () => {
    expect(run(col({ column: 'c' }), [value('EMAIL')]).confidence).toBe(0.75);
    expect(run(col({ column: 'c' }), [name('EMAIL')]).confidence).toBe(0.8);
  });

  it('name only on a gated type is dropped', () => {
    const r = run(col({ column: 'first_name', dataType: 'integer' }), [name('FIRST_NAME')]);
    expect(r.piiType).toBe('NONE');
    expect(r.evidence.some((e) => e.evidence.includes('integer column cannot hold'))).toBe(true);
    expect(run(col({ column: 'birth_date', dataType: 'text' }), [name('DATE_OF_BIRTH')]).piiType).toBe('NONE');
  });

  it('key columns: name-only dropped, validated values still count', () => {
    expect(run(col({ column: 'email', isKey: true }), [name('EMAIL')]).piiType).toBe('NONE');
    expect(run(col({ column: 'email', isKey: true }), [name('EMAIL'), value('EMAIL')]).piiType).toBe('EMAIL');
  });

  it('UUID values discount name-only guesses', () => {
    expect(run(col({ column: 'name', table: 'customer' }), [name('FULL_NAME', 0.65), value('NONE', 0.9)]).piiType).toBe('NONE');
  });

  it('values that contradict the name halve its confidence', () => {
    const c = col({ column: 'email', values: ['yes', 'no', 'maybe', 'no'] });
    expect(run(c, [name('EMAIL')]).piiType).toBe('NONE');
  });

  it('families: name wins for names, validated IBAN wins for bank accounts', () => {
    expect(run(col({ column: 'first_name' }), [name('FIRST_NAME'), value('FULL_NAME', 0.6)]).piiType).toBe('FIRST_NAME');
    const bank = run(col({ column: 'account_number' }), [name('BANK_ACCOUNT'), value('IBAN', 0.85)]);
    expect([bank.piiType, bank.technique]).toEqual(['IBAN', 'partial']);
  });

  it('hex digests support a password name but never flag alone', () => {
    expect(run(col({ column: 'password' }), [name('PASSWORD'), value('PASSWORD', 0.3)]).confidence).toBeGreaterThanOrEqual(0.9);
    expect(run(col({ column: 'checksum' }), [value('PASSWORD', 0.3)]).piiType).toBe('NONE');
  });

  it('LLM alone is capped and marked; agreeing LLM adds a little', () => {
    const alone = run(col({ column: 'x' }), [llm('EMAIL')]);
    expect([alone.piiType, alone.confidence, alone.source]).toEqual(['EMAIL', 0.6, 'LLM']);
    expect(run(col({ column: 'x' }), [name('EMAIL'), llm('EMAIL')]).confidence).toBeGreaterThan(0.8);
  });

  it.each<[PiiType, string]>([
    ['CREDIT_CARD', 'partial'],
    ['NATIONAL_ID', 'hash'],
    ['USERNAME', 'hash'],
    ['DATE_OF_BIRTH', 'dateShift'],
    ['POSTAL_CODE', 'generalize'],
    ['PASSWORD', 'null'],
    ['FREE_TEXT_PERSONAL', 'redact'],
    ['ADDRESS', 'fake'],
  ])('%s → technique %s', (t, technique) =>
    expect(run(col({ column: 'c', dataType: t === 'DATE_OF_BIRTH' ? 'date' : 'text' }), [value(t)]).technique).toBe(technique),
  );
});

describe('registry', () => {
  it('holds one entry per detector file and refuses duplicates', async () => {
    await import('../src/pii/detectors/index.ts');
    expect(detectors().map((d) => d.name)).toEqual(expect.arrayContaining(['name-rules', 'value-rules', 'llm']));
    for (const d of detectors()) expect(d.params.safeParse({}).success).toBe(true);
    const first = detectors()[0] as PiiDetectorDefinition<unknown>;
    expect(() => registerDetector({ ...first })).toThrow(/already registered/);
  });

  it('the LLM detector is off without a model', () => {
    const def = detectors().find((d) => d.name === 'llm');
    expect(def?.create(def.params.parse({}), { now: NOW })).toBeNull();
  });
});

/** A fake chat model that records what it was asked. */
class RecordingModel extends FakeListChatModel {
  prompts: BaseMessage[][] = [];
  override async _generate(messages: BaseMessage[], options?: this['ParsedCallOptions']) {
    this.prompts.push(messages);
    return super._generate(messages, options);
  }
}
const promptText = (m: BaseMessage[]) => m.map((x) => String(x.content)).join('\n');

describe('LLM detector', () => {
  const values = Array.from({ length: 12 }, (_, i) => `person${i}@example.com`);

  it('sends at most five values and turns a valid answer into a signal', async () => {
    const model = new RecordingModel({ responses: ['```json\n{"piiType":"EMAIL","confidence":0.9,"reason":"looks like mail"}\n```'] });
    const signals = await createLlmDetector(model, { maxValues: 5, maxValueLength: 64 }).detect(col({ column: 'contact', values }));
    expect(signals.map((s) => [s.piiType, s.confidence])).toEqual([['EMAIL', 0.9]]);
    expect(signals[0]?.evidence).not.toContain('@');
    const sent = promptText(model.prompts[0] ?? []);
    expect(values.filter((v) => sent.includes(`"${v}"`))).toHaveLength(5);
  });

  it.each(['not json at all', '{"piiType":"SHOE_SIZE","confidence":0.9}', '{"piiType":"EMAIL","confidence":7}', '[]'])(
    'ignores invalid answer %s',
    async (answer) => {
      const model = new RecordingModel({ responses: [answer] });
      expect(await createLlmDetector(model, { maxValues: 5, maxValueLength: 64 }).detect(col({ column: 'c', values }))).toEqual([]);
      expect(parseLlmAnswer(answer)).toBeNull();
    },
  );

  it('rejects more than five values in its params', () => {
    expect(() => llmParams.parse({ maxValues: 6 })).toThrow();
    expect(llmParams.parse({}).maxValues).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------
// Precision / recall on the real sample databases (and the demo source, which always runs).

interface Expected {
  schema: string;
  table: string;
  column: string;
  piiType: PiiType;
}
function expectedFor(file: string): Expected[] {
  const doc = JSON.parse(readFileSync(new URL(`./fixtures/expected-pii/${file}.json`, import.meta.url), 'utf8')) as Expected[] | { columns: Expected[] };
  return Array.isArray(doc) ? doc : doc.columns;
}

function score(results: PiiClassificationResult[], expected: Expected[]) {
  const key = (r: { schema: string; table: string; column: string }) => `${r.schema}.${r.table}.${r.column}`;
  const flagged = new Map(results.filter((r) => r.piiType !== 'NONE').map((r) => [key(r), r]));
  const wanted = new Map(expected.map((e) => [key(e), e]));
  const tp = [...flagged.keys()].filter((k) => wanted.has(k));
  const sameType = tp.filter((k) => flagged.get(k)?.piiType === wanted.get(k)?.piiType);
  return {
    precision: flagged.size === 0 ? 1 : tp.length / flagged.size,
    recall: wanted.size === 0 ? 1 : tp.length / wanted.size,
    typeAgreement: tp.length === 0 ? 1 : sameType.length / tp.length,
    falsePositives: [...flagged.keys()].filter((k) => !wanted.has(k)),
    missed: [...wanted.keys()].filter((k) => !flagged.has(k)),
    typeMismatches: tp.filter((k) => !sameType.includes(k)).map((k) => `${k}: ${flagged.get(k)?.piiType} ≠ ${wanted.get(k)?.piiType}`),
  };
}

const report: string[] = [];
function record(name: string, s: ReturnType<typeof score>) {
  const f = (x: number) => x.toFixed(3);
  report.push(`${name.padEnd(18)} precision ${f(s.precision)}  recall ${f(s.recall)}  type agreement ${f(s.typeAgreement)}`);
  console.log(`[pii] ${name}: precision ${f(s.precision)} recall ${f(s.recall)} type agreement ${f(s.typeAgreement)}`, {
    falsePositives: s.falsePositives,
    missed: s.missed,
    typeMismatches: s.typeMismatches,
  });
}
afterAll(() => {
  if (report.length) console.log(`[pii] precision/recall per fixture\n${report.join('\n')}`);
});

async function classifyFresh(open: () => Promise<TestDatabase>, fill: (sql: SqlClient) => Promise<void>) {
  const db = await open();
  const sql = await openSqlClient(db.url);
  try {
    await fill(sql);
    const catalog = await readCatalog(sql, ['public']);
    const results = await classifyCatalog(sql, catalog, { now: NOW });
    return results;
  } finally {
    await sql.close();
    await db.drop();
  }
}

const pg = await pgAvailable();

describe('demo source (always runs)', () => {
  it('classifies with precision and recall ≥ 0.9, values never in results', async () => {
    let sampled: string[] = [];
    const results = await classifyFresh(
      () => (pg ? createTestDatabase('pii_demo') : createPgliteUrl({ memory: true })),
      async (sql) => {
        await seedDemoSource(sql, { customers: 60, products: 20, orders: 100 });
        sampled = (await sql.query<{ v: string }>('select email::text as v from customer union all select phone from customer')).rows.map((r) => r.v);
      },
    );
    const s = score(results, expectedFor('demo'));
    record('demo', s);
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    const text = JSON.stringify(results);
    expect(sampled.length).toBeGreaterThan(0);
    for (const v of sampled) expect(text).not.toContain(v);
    // Every column gets a result, in catalog order.
    expect(results.find((r) => r.table === 'payment' && r.column === 'card_last4')?.piiType).toBe('NONE');
  });

  it('applies overrides and can omit NONE columns', async () => {
    const results = await classifyFresh(
      () => (pg ? createTestDatabase('pii_demo_o') : createPgliteUrl({ memory: true })),
      async (sql) => {
        await seedDemoSource(sql, { customers: 80, products: 5, orders: 10 });
        const catalog = await readCatalog(sql, ['public']);
        const only = await classifyCatalog(sql, catalog, {
          now: NOW,
          includeNone: false,
          overrides: [
            { table: 'employee', column: 'hired_on', piiType: 'DATE_OF_BIRTH', technique: 'dateShift' },
            { schema: 'public', table: 'customer', column: 'phone', piiType: 'NONE' },
          ],
        });
        expect(only.every((r) => r.piiType !== 'NONE')).toBe(true);
        const hired = only.find((r) => r.column === 'hired_on');
        expect([hired?.piiType, hired?.source, hired?.confidence]).toEqual(['DATE_OF_BIRTH', 'OVERRIDE', 1]);
        expect(only.some((r) => r.table === 'customer' && r.column === 'phone')).toBe(false);
        // Tables above 20 × sampleSize rows are read through TABLESAMPLE … REPEATABLE: same answer, same run after run.
        const small = await classifyCatalog(sql, catalog, { now: NOW, sampleSize: 3, includeNone: false });
        expect(small.find((r) => r.table === 'customer' && r.column === 'email')?.evidence.some((e) => e.detector === 'value-rules')).toBe(true);
        expect(await classifyCatalog(sql, catalog, { now: NOW, sampleSize: 3, includeNone: false })).toEqual(small);
      },
    );
    expect(results.length).toBeGreaterThan(0);
  });
});

const FIXTURES: [string, FixtureName][] = [
  ['pagila', 'pagila'],
  ['chinook', 'chinook'],
  ['world', 'world'],
  ['sakila-jooq', 'sakila'],
  ['neosync-edgecases', 'edgecases'],
];
const haveFixtures = fixturesAvailable();
if (!haveFixtures || !pg)
  console.warn(`[pii] skipping fixture precision/recall: ${!haveFixtures ? 'sample databases not found' : 'PostgreSQL at 127.0.0.1:5432 not reachable'}`);

const labelsFor = (name: string): LabelFile =>
  JSON.parse(readFileSync(new URL(`../../../bench/pii-labels/${name}.json`, import.meta.url), 'utf8')) as LabelFile;

describe.skipIf(!haveFixtures || !pg)('precision/recall on the sample databases (hand labels in bench/pii-labels)', () => {
  const evaluations: Evaluation[] = [];
  it.each(FIXTURES)('%s: every column labelled, no false positive', async (name, fixture) => {
    const results = await classifyFresh(
      () => createTestDatabase(`pii_${fixture}`),
      (sql) => loadFixture(sql, fixture),
    );
    const e = evaluate(results, labelsFor(name).columns);
    evaluations.push(e);
    report.push(`${name.padEnd(18)} precision ${e.overall.precision.toFixed(3)}  recall ${e.overall.recall.toFixed(3)}`);
    console.log(`[pii] ${name}`, e.errors);
    expect(e.unlabelled).toEqual([]);
    expect(e.overall.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('overall: precision ≥ 0.95 and recall ≥ 0.9, per category too', () => {
    expect(evaluations).toHaveLength(FIXTURES.length);
    const all = combineEvaluations(evaluations);
    expect(all.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(all.overall.recall).toBeGreaterThanOrEqual(0.9);
    for (const [category, s] of Object.entries(all.byCategory)) {
      expect([category, s.precision >= 0.95, s.recall >= 0.9]).toEqual([category, true, true]);
    }
  });
});
