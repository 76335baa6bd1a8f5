/** The PII detectors' rules, table-driven: tokens and table meaning, value validators, name rules, value rules, the type gate. */
import { describe, expect, it } from 'vitest';
import { matchColumnName } from '../src/pii/detectors/name-rules.ts';
import { valueSignals, valueRulesParams } from '../src/pii/detectors/value-rules.ts';
import { isAddressTable, isPersonTable, tokenize } from '../src/pii/tokens.ts';
import { typeAllows, typeCategory } from '../src/pii/type-gate.ts';
import type { ColumnSample, PiiType } from '../src/pii/types.ts';
import { birthYear, isCreditCard, isEmail, isIban, isIpAddress, isPasswordHash, isPhone, isUsSsn, isUuid, luhnValid } from '../src/pii/validators.ts';
import { col, NOW } from './support/pii-samples.ts';

const params = valueRulesParams.parse({});

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
