/**
 * Gherkin as QA teams write it: the step grammar on free phrasings (any quoting, placeholders, bare
 * trailing values), Scenario Outlines through pickles (one example row per Examples row), bare
 * steps without a Feature line, other Gherkin languages, value types and constraints the text
 * implies, and bad input that must give a typed error or an empty analysis with a reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';

beforeAll(() => loadTestCaseParsers());

const fields = (a: TestCaseAnalysis) => a.entities.flatMap((e) => e.fields.map((f) => ({ entity: e.name, ...f })));
const one = (step: string) => {
  const found = fields(analyzeTestCase({ content: `Feature: Checkout\n  Scenario: s\n    When ${step}\n` }));
  return found.map((f) => `${f.name}=${f.exampleValues.join('|')}`);
};

describe('step grammar: one step, any phrasing', () => {
  it.each([
    ['the customer enters surname as "Smith"', 'surname=Smith'],
    ['user provides mobile number "+44 7700 900123"', 'mobile_number=+44 7700 900123'],
    ["I put the last name 'Doe'", 'last_name=Doe'],
    ["I select the country 'France'", 'country=France'],
    ["I choose the delivery option 'Express'", 'delivery=Express'],
    ["I enter an order number of 'B-1234'", 'order_number=B-1234'],
    ['I type "Lyon" into the city field', 'city=Lyon'],
    ['I type “Lyon” into the town textbox', 'town=Lyon'],
    ['the delivery option is set to "Express"', 'delivery=Express'],
    ['I enter "jo@x.io" as "email"', 'email=jo@x.io'],
    ['I fill in "Email" with "a@b.io"', 'email=a@b.io'],
    ["I enter '01234 567890' into the 'UK telephone number' text area", 'uk_telephone_number=01234 567890'],
    ["I choose 'Satisfied' from the 'How did you feel?' radio buttons", 'how_did_you_feel=Satisfied'],
    ['I type "Diana" into first name field  DD', 'first_name=Diana'],
    ["I enter name 'Kyle', 'Walker'", 'first_name=Kyle', 'last_name=Walker'],
    ['I upload "avatar.png" to the "Profile picture" field', 'profile_picture=avatar.png'],
    ['he logs in with username "john" and password "12345"', 'username=john', 'password=12345'],
    ["I enter the 'delegated functions on' date of 35 days ago using the date picker field", 'delegated_functions_on_date='],
    ["I search for proceeding 'Occupation order'", 'proceeding=Occupation order'],
    ['the clerk searches for the case number "C-77"', 'case_number=C-77'],
  ])('%s', (step, ...expected) => {
    expect(one(step)).toEqual(expected);
  });

  it.each([
    'I should see "Welcome"',
    'I click "Sign In" button',
    'I am on the "login" page',
    'I wait for 2 sec',
    "I choose a 'Non-molestation order' radio button",
    'I go to "registration" page',
  ])('fills in nothing: %s', (step) => {
    expect(one(step)).toEqual([]);
  });

  it('ticks a checkbox named by its label: a boolean field without a value', () => {
    const found = fields(
      analyzeTestCase({ content: `Feature: Sign up\n  Scenario: s\n    When I check the 'Remember me' checkbox\n    And I tick "Accept terms"\n` }),
    );
    expect(found.map((f) => `${f.name}:${f.type}`)).toEqual(['remember_me:boolean', 'accept_terms:boolean']);
  });

  it('reads a table column of possessives as the wording of the steps, not a field', () => {
    const content = `Feature: About you
  Scenario Outline: s
    When "<actor>" enters this data in the form:-
      | title   | pronoun   | firstname   |
      | <title> | <pronoun> | <firstname> |
    And "<actor>" has entered "<lastname>" as "<pronoun>" last name

    Examples:
      | actor | title | pronoun | firstname | lastname |
      | Ann   | Ms    | her     | Ann       | Lee      |
      | Bob   | Mr    | his     | Bob       | Ray      |
`;
    expect(fields(analyzeTestCase({ content })).map((f) => f.name)).toEqual(['title', 'firstname', 'last_name']);
    const vertical = `Feature: f\n  Scenario: s\n    When I enter these details:\n      | Name    | Ann |\n      | Pronoun | her |\n`;
    expect(fields(analyzeTestCase({ content: vertical })).map((f) => f.name)).toEqual(['name']);
  });

  it('pairs a value typed with the label focused just before it', () => {
    const found = fields(
      analyzeTestCase({
        content: `Feature: Apply\n  Scenario: s\n    Given I select "Your first name"\n    And I type "Sarah"\n    And I select "Yes"\n    And I select "Year"\n    And I type "2000"\n`,
      }),
    );
    expect(found.map((f) => `${f.name}=${f.exampleValues.join('|')}@${f.source.line}`)).toEqual(['first_name=Sarah@3', 'year=2000@6']);
  });
});

describe('Scenario Outlines through pickles', () => {
  const OUTLINE = `Feature: login
  Background:
    Given I go to "login" page

  Scenario Outline: login positive
    When I type <email> into email field
    And I enter "<surname>" as my surname
    And I type <password> into password field
    Then <message> should be displayed

    Examples:
      | email               | password | surname | message |
      | "ask_instr@aol.com" | "12345"  | Smith   | "Welcome" |
      | "a.b@aol.com"       | ""       | Jones   | "This field is required" |
`;

  it('gives one example row per Examples row, the example values kept as values', () => {
    const analysis = analyzeTestCase({ content: OUTLINE, fileName: 'login.feature' });
    const entity = analysis.entities.find((e) => e.name === 'user');
    expect(entity?.fields.map((f) => f.name)).toEqual(['email', 'surname', 'password']);
    expect(entity?.fields[0]?.exampleValues).toEqual(['ask_instr@aol.com', 'a.b@aol.com']);
    expect(entity?.fields[0]?.source.line).toBe(6);
    expect(entity?.exampleRows).toEqual([
      { email: 'ask_instr@aol.com', password: '12345', surname: 'Smith' },
      { email: 'a.b@aol.com', surname: 'Jones' },
    ]);
    // The message after the empty password is about the password.
    expect(entity?.fields[2]?.constraints).toContain('required');
  });

  it('reads unquoted placeholders and placeholder tables', () => {
    const analysis = analyzeTestCase({
      content: `Feature: x\n  Scenario Outline: y\n    When he logs in with username <username> and password <password>\n    And he enters his details:\n      | title | firstname |\n      | <title> | <first> |\n    Examples:\n      | username | password | title | first |\n      | John Smith | 12345 | Mr | John |\n`,
    });
    const found = fields(analysis);
    expect(found.map((f) => `${f.name}=${f.exampleValues.join('|')}`)).toEqual(['username=John Smith', 'password=12345', 'title=Mr', 'firstname=John']);
  });

  it('still names the fields of a half-written outline (no Examples rows), without values', () => {
    const analysis = analyzeTestCase({
      content: `Feature: x\n  Scenario Outline: y\n    When I type <email> into email field\n    Examples:\n      | email |\n`,
    });
    expect(fields(analysis).map((f) => [f.name, f.exampleValues])).toEqual([['email', []]]);
  });

  it('runs Rule children and their Background', () => {
    const analysis = analyzeTestCase({
      content: `Feature: x\n  Rule: r\n    Background:\n      Given I enter "Ann" as my first name\n    Scenario: y\n      When I enter "ann@x.io" as my email\n`,
    });
    expect(fields(analysis).map((f) => f.name)).toEqual(['first_name', 'email']);
  });
});

describe('bare steps and other languages', () => {
  it('accepts steps without a Feature line, and gives lines of the text as sent', () => {
    const analysis = analyzeTestCase({ content: `When I enter "email" as "user@test.com"\nAnd I enter "first name" as "John"\n` });
    expect(analysis).toMatchObject({ format: 'GHERKIN', language: 'en', needsSyntheticData: true });
    expect(fields(analysis).map((f) => [f.entity, f.name, f.source.line])).toEqual([
      ['user', 'email', 1],
      ['user', 'first_name', 2],
    ]);
  });

  it.each([
    [
      'de',
      '# language: de\nFunktionalität: Registrierung\n  Szenario: x\n    Wenn ich "anna@example.de" in das Feld "E-Mail" eingebe\n',
      'email=anna@example.de',
    ],
    ['de', 'Angenommen ich gebe "anna@example.de" als "E-Mail" ein\n', 'email=anna@example.de'],
    ['fr', 'Quand je saisis "Dupont" dans le champ "Nom"\nEt je sélectionne "France" comme pays\n', 'nom=Dupont', 'pays=France'],
    ['es', 'Cuando ingreso "ana@ejemplo.es" en el campo "correo electrónico"\n', 'correo_electronico=ana@ejemplo.es'],
  ])('%s', (language, content, ...expected) => {
    const analysis = analyzeTestCase({ content });
    expect(analysis.language).toBe(language);
    expect(fields(analysis).map((f) => `${f.name}=${f.exampleValues.join('|')}`)).toEqual(expected);
  });
});

describe('value types and constraints from the text', () => {
  it('infers types from the value and the name: email, phone, dates in several formats, postal code, money, enum from repeats', () => {
    const content = `Feature: Order
  Scenario Outline: s
    When I enter "<contact>" as the contact
    And I enter "<when>" as the delivery date
    And I enter "<total>" as the total
    And I enter "<zip>" as the postcode
    And I enter "<size>" as the size
    And I enter "<mobile>" as the mobile
    Examples:
      | contact  | when       | total   | zip      | size  | mobile          |
      | a@b.io   | 03-04-1999 | $12.50  | SW1H 9EA | Small | +44 20 7946 0958 |
      | c@d.io   | 2024-05-01 | €1,200  | NW1 6XE  | Large | +33 1 23 45 67 89 |
      | e@f.io   | 5 May 2024 | $3.10   | EC1A 1BB | Small | +1 415 555 0100 |
      | g@h.io   | 12/31/2023 | $9.99   | W1A 0AX  | Large | +49 30 1234567  |
`;
    const types = Object.fromEntries(fields(analyzeTestCase({ content })).map((f) => [f.name, f.type]));
    expect(types).toEqual({ contact: 'email', delivery_date: 'date', total: 'decimal', postcode: 'postal_code', size: 'enum', mobile: 'phone' });
  });

  it('reads constraints from validation steps', () => {
    const content = `Feature: Sign up
  Scenario: s
    When I type "a" into the group code field
    Then error message "Should no more than 10 characters" should be displayed
    When I enter "abc" as my password
    Then I should see "Password must be at least 8 characters"
    And I should be notified that the email is required
`;
    const byName = Object.fromEntries(fields(analyzeTestCase({ content })).map((f) => [f.name, f.constraints]));
    expect(byName.group_code).toContain('max_length:10');
    expect(byName.password).toContain('min_length:8');
    expect(byName.email).toContain('required');
  });
});

describe('bad input', () => {
  it('binary content: an empty analysis with a reason', () => {
    const binary = String.fromCharCode(...Array.from({ length: 400 }, (_, i) => (i * 7) % 32));
    expect(analyzeTestCase({ content: binary, fileName: 'x.feature' })).toMatchObject({
      entities: [],
      needsSyntheticData: false,
      reason: expect.stringMatching(/binary/),
    });
  });

  it('5 MB of text: refused at once with a reason, not parsed', () => {
    const started = performance.now();
    const analysis = analyzeTestCase({ content: 'When I enter "a" as "b"\n'.repeat(220_000) });
    expect(analysis.entities).toEqual([]);
    expect(analysis.reason).toMatch(/characters long/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a long text of words is read without hanging', () => {
    const started = performance.now();
    const analysis = analyzeTestCase({ content: `Feature: x\n  Scenario: y\n    When I enter ${'very '.repeat(20_000)}long "x"\n` });
    expect(analysis.format).toBe('GHERKIN');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('an unknown Gherkin language: a typed error with its line', () => {
    expect(() => analyzeTestCase({ content: '# language: xx-nope\nFeature: T\n' })).toThrow(InvalidInputError);
  });

  it('text that is no test: UNKNOWN with a reason', () => {
    expect(analyzeTestCase({ content: 'Dear team,\nplease find the report attached.\n' })).toMatchObject({ format: 'UNKNOWN', entities: [] });
  });
});
