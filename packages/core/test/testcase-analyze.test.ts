/**
 * The test-case analyser on the project's own small Gherkin sample (an outline, a doc string and
 * tables), so the suite says something on a fresh clone without the shared fixtures
 * (testcase-fixtures.test.ts). Cypress, Playwright and Selenium: testcase-analyze-scripts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { TestCaseAnalysis as AnalysisSchema, type TestCaseAnalysis, type TestCaseField } from '../src/testcase/types.ts';

await loadTestCaseParsers();

function field(analysis: TestCaseAnalysis, entity: string, name: string): TestCaseField {
  const found = analysis.entities.find((e) => e.name === entity)?.fields.find((f) => f.name === name);
  if (!found) {
    const seen = analysis.entities.map((e) => `${e.name}: ${e.fields.map((f) => f.name).join(', ')}`).join('; ');
    throw new Error(`no field ${entity}.${name} (found ${seen || 'nothing'})`);
  }
  return found;
}

const SIGN_UP = `@web
Feature: Customer sign up
  In order to buy things
  As a visitor I register

  Background:
    Given I am on the registration page

  Scenario: Register with the minimum details
    When I enter "email" as "ann@test.com"
    And I fill in "First name" with "Ann"
    And I specify the last name as "Lee"
    And I set the "Phone number" field to "+44 20 7946 0958"
    But I enter "hunter22" into the "Password" field
    And I check "Accept terms"
    Then I should be notified that the email is already used
    And the password must be at least 8 characters
    And I should be notified that the first name is required

  Scenario Outline: Register with a birthday
    When I specify the email as "<email>"
    And I fill in "Date of birth" with "<dob>"

    Examples:
      | email         | dob        |
      | bob@test.com  | 1990-04-01 |
      | cleo@test.com | 02/03/1985 |

  Scenario: Save a delivery address
    When I fill in the address form with:
      | Street      | 1 Main St   |
      | City        | Springfield |
      | Postal code | 12345       |

  Scenario: Pay by card
    When I fill in "Card number" with "4111 1111 1111 1111"

  Scenario: Checkout
    When I set the quantity to "3"
    And I fill in "Coupon" with "SPRING-10"

  Scenario: Write a bio
    When I fill in "Bio" with:
      """
      Likes tea.
      Hates mornings.
      """

  Rule: Existing customers
    Scenario: Import customers
      Given the following customers exist:
        | name | email         | newsletter |
        | Ann  | ann@test.com  | yes        |
        | Dan  | dan@test.com  | no         |
`;

describe('analyzeTestCase: Gherkin', () => {
  const analysis = analyzeTestCase({ content: SIGN_UP, fileName: 'sign_up.feature' });

  it('recognises the format and groups fields by entity in order of appearance', () => {
    expect(analysis.format).toBe('GHERKIN');
    // The feature says "Customer sign up": the account fields belong to a customer, not a user.
    expect(analysis.entities.map((e) => e.name)).toEqual(['customer', 'address', 'payment', 'order']);
    expect(AnalysisSchema.parse(analysis)).toEqual(analysis);
  });

  it('keeps the values of one scenario, one Examples row and one record-table row together', () => {
    const rows = analysis.entities.find((e) => e.name === 'customer')?.exampleRows;
    expect(rows).toEqual([
      { email: 'ann@test.com', first_name: 'Ann', last_name: 'Lee', phone_number: '+44 20 7946 0958', password: 'hunter22' },
      { email: 'bob@test.com', date_of_birth: '1990-04-01' },
      { email: 'cleo@test.com', date_of_birth: '02/03/1985' },
      { bio: 'Likes tea.\nHates mornings.' },
      { name: 'Ann', email: 'ann@test.com', newsletter: 'yes' },
      { name: 'Dan', email: 'dan@test.com', newsletter: 'no' },
    ]);
    expect(analysis.entities.find((e) => e.name === 'address')?.exampleRows).toEqual([{ street: '1 Main St', city: 'Springfield', postal_code: '12345' }]);
  });

  const expected: { entity: string; name: string; type: string; values: string[]; line: number; constraints?: string[] }[] = [
    {
      entity: 'customer',
      name: 'email',
      type: 'email',
      values: ['ann@test.com', 'bob@test.com', 'cleo@test.com', 'dan@test.com'],
      line: 10,
      constraints: ['unique'],
    },
    { entity: 'customer', name: 'first_name', type: 'string', values: ['Ann'], line: 11, constraints: ['required'] },
    { entity: 'customer', name: 'last_name', type: 'string', values: ['Lee'], line: 12 },
    { entity: 'customer', name: 'phone_number', type: 'phone', values: ['+44 20 7946 0958'], line: 13 },
    { entity: 'customer', name: 'password', type: 'password', values: ['hunter22'], line: 14, constraints: ['min_length:8'] },
    { entity: 'customer', name: 'accept_terms', type: 'boolean', values: [], line: 15 },
    { entity: 'customer', name: 'date_of_birth', type: 'date', values: ['1990-04-01', '02/03/1985'], line: 22 },
    { entity: 'customer', name: 'bio', type: 'text', values: ['Likes tea.\nHates mornings.'], line: 43 },
    { entity: 'customer', name: 'name', type: 'string', values: ['Ann', 'Dan'], line: 52 },
    { entity: 'customer', name: 'newsletter', type: 'boolean', values: ['yes', 'no'], line: 52 },
    { entity: 'address', name: 'street', type: 'string', values: ['1 Main St'], line: 31 },
    { entity: 'address', name: 'city', type: 'string', values: ['Springfield'], line: 32 },
    { entity: 'address', name: 'postal_code', type: 'postal_code', values: ['12345'], line: 33, constraints: ['pattern:^\\d{5}$'] },
    {
      entity: 'payment',
      name: 'card_number',
      type: 'credit_card',
      values: ['4111 1111 1111 1111'],
      line: 36,
      constraints: ['pattern:^\\d{4} \\d{4} \\d{4} \\d{4}$'],
    },
    { entity: 'order', name: 'quantity', type: 'integer', values: ['3'], line: 39 },
    { entity: 'order', name: 'coupon', type: 'string', values: ['SPRING-10'], line: 40 },
  ];

  it.each(expected)('$entity $name: $type from line $line', ({ entity, name, type, values, line, constraints }) => {
    const f = field(analysis, entity, name);
    expect(f.type).toBe(type);
    expect(f.exampleValues).toEqual(values);
    expect(f.source.line).toBe(line);
    expect(f.constraints).toEqual(constraints ?? []);
  });

  it('extracts nothing from steps that fill in no field', () => {
    const names = analysis.entities.flatMap((e) => e.fields.map((f) => f.name));
    expect(names).not.toContain('registration_page');
    expect(names).toHaveLength(expected.length);
  });

  it('takes the entity from the Feature name when no context word names one', () => {
    const result = analyzeTestCase({
      content: `Feature: Library loans\n  Scenario: Borrow\n    When I enter "ISBN" as "978-3-16-148410-0"\n    And I enter "Due date" as "2024-05-01"\n`,
    });
    expect(result.entities).toMatchObject([
      {
        name: 'library_loans',
        fields: [
          { name: 'isbn', type: 'string', constraints: ['pattern:^\\d{3}-\\d-\\d{2}-\\d{6}-\\d$'], exampleValues: ['978-3-16-148410-0'], source: { line: 3 } },
          { name: 'due_date', type: 'date', constraints: [], exampleValues: ['2024-05-01'], source: { line: 4 } },
        ],
        exampleRows: [{ isbn: '978-3-16-148410-0', due_date: '2024-05-01' }],
      },
    ]);
  });

  it('reads a two-column table with a field/value header and Mink phrasings', () => {
    const result = analyzeTestCase({
      content: `Feature: Profile
  Scenario: Edit
    When I fill in the following:
      | field      | value      |
      | Nickname   | annie      |
      | user[mail] | a@b.io     |
    And I fill in "Lee" for "Last name"
    And I select "France" from "Country"
    And the "profile_website" field should contain "https://annie.dev"
`,
    });
    const user = result.entities.find((e) => e.name === 'user');
    expect(user?.fields.map((f) => [f.name, f.type, f.exampleValues[0]])).toEqual([
      ['nickname', 'string', 'annie'],
      ['mail', 'email', 'a@b.io'],
      ['last_name', 'string', 'Lee'],
      ['website', 'url', 'https://annie.dev'],
    ]);
    // A country is part of an address wherever it is asked for.
    expect(result.entities.find((e) => e.name === 'address')?.fields.map((f) => [f.name, f.type, f.constraints])).toEqual([
      ['country', 'enum', ['enum:France']],
    ]);
  });

  const malformed: { name: string; content: string; line: number }[] = [
    { name: 'free text after a step', content: 'Feature: Broken\n  Scenario: a\n    Given a step\n  this is not gherkin\n', line: 4 },
    { name: 'a second Feature', content: 'Feature: One\n  Scenario: a\n    Given a step\nFeature: Two\n', line: 4 },
    { name: 'a Feature line after bare steps', content: '\nGiven a step\nFeature: T\n', line: 3 },
    { name: 'an unknown language', content: '# language: xx-nope\nFeature: T\n', line: 1 },
  ];

  it.each(malformed)('rejects malformed Gherkin ($name) with its line', ({ content, line }) => {
    let error: unknown;
    try {
      analyzeTestCase({ content, fileName: 'broken.feature' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).details).toMatchObject({ line, fileName: 'broken.feature' });
    expect((error as Error).message).toContain(`broken.feature at line ${line}`);
  });

  it('parses non-English Gherkin and empty feature files', () => {
    expect(analyzeTestCase({ content: '# language: fr\nFonctionnalité: Inscription\n  Scénario: a\n    Soit une page\n' }).format).toBe('GHERKIN');
    expect(analyzeTestCase({ content: '', fileName: 'empty.feature' })).toMatchObject({
      format: 'GHERKIN',
      entities: [],
      needsSyntheticData: false,
      reason: 'the text holds no feature and no steps',
    });
  });
});
