/**
 * The test-case analyser on the project's own small samples, one per format (Gherkin with an
 * outline, a doc string and tables; Cypress; Playwright; Selenium Java; Selenium Python), so the
 * suite says something on a fresh clone without the shared fixtures (testcase-fixtures.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { analyzeTestCase, detectFormat, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { constraintsFromMessage } from '../src/testcase/constraints.ts';
import { fieldNameFromIdentifier, fieldNameFromLabel, fieldNameFromSelector, inferFieldType } from '../src/testcase/fields.ts';
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

describe('analyzeTestCase: Cypress, Playwright, Selenium', () => {
  const summary = (a: TestCaseAnalysis) =>
    a.entities.map((e) => [e.name, e.fields.map((f) => `${f.name}:${f.type}:${f.exampleValues.join('|')}@${f.source.line}`)]);

  it('reads cy.get(…).type(…), custom selector commands, constants and validation messages', () => {
    const result = analyzeTestCase({
      fileName: 'signup.cy.ts',
      content: `const user = { firstName: 'Ann', email: 'ann@test.com' };
const domain = 'test.com';
describe('Sign up', () => {
  it('creates an account', () => {
    cy.visit('/signup')
    cy.get('#email').type(user.email)
    cy.get('input[name="firstName"]').clear().type(user.firstName)
    cy.getBySel('signup-password').type('s3cret!{enter}')
    cy.get('[data-test=birth-date]').type(profile.birthDate)
    cy.findByLabelText('Work email').type(\`ann@\${domain}\`)
    cy.get('#email').should('have.value', 'ann@test.com')
  })
  it('rejects a short password', () => {
    cy.getBySelLike('password-input').type('abc').blur()
    cy.get('#password-helper-text').should('be.visible').and('contain', 'Must contain at least 4 characters')
  })
  it('pays by card', () => {
    cy.get('#card-number').type('4111111111111111')
  })
})`,
    });
    expect(result.format).toBe('CYPRESS');
    expect(summary(result)).toEqual([
      [
        'user',
        ['email:email:ann@test.com@6', 'first_name:string:Ann@7', 'password:password:s3cret!|abc@8', 'birth_date:date:@9', 'work_email:email:ann@test.com@10'],
      ],
      ['payment', ['card_number:credit_card:4111111111111111@18']],
    ]);
    const user = result.entities[0];
    expect(user?.fields.find((f) => f.name === 'password')?.constraints).toEqual(['min_length:4']);
    expect(user?.exampleRows).toEqual([{ email: 'ann@test.com', first_name: 'Ann', password: 's3cret!', work_email: 'ann@test.com' }, { password: 'abc' }]);
  });

  it('reads page.fill, getByLabel, getByRole, getByPlaceholder, locators in variables and selectOption', () => {
    const result = analyzeTestCase({
      content: `import { test, expect } from '@playwright/test';
const PHONE = '+1 555 0100 22';
test('register a user', async ({ page }) => {
  await page.goto('/register');
  await page.fill('#email', 'ann@test.com');
  await page.getByLabel('First name').fill('Ann');
  await page.getByRole('textbox', { name: 'Last name' }).pressSequentially('Lee');
  await page.getByPlaceholder('Phone').fill(PHONE);
  const zip = page.locator('form').locator('input[name="zip"]');
  await zip.fill('90210');
  await page.getByLabel('Country').selectOption(['FR', 'DE']);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByText('Email is already taken')).toBeVisible();
});`,
    });
    expect(result.format).toBe('PLAYWRIGHT');
    expect(summary(result)).toEqual([
      ['user', ['email:email:ann@test.com@5', 'first_name:string:Ann@6', 'last_name:string:Lee@7', 'phone:phone:+1 555 0100 22@8']],
      ['address', ['zip:postal_code:90210@10', 'country:enum:FR|DE@11']],
    ]);
    expect(result.entities[0]?.fields[0]?.constraints).toEqual(['unique']);
    expect(result.entities[1]?.fields[1]?.constraints).toEqual(['enum:FR|DE']);
  });

  it('reads Selenium Java sendKeys across lines, page-object fields and String constants', () => {
    const result = analyzeTestCase({
      fileName: 'CheckoutTest.java',
      content: `import org.openqa.selenium.By;
public class CheckoutTest {
  @FindBy(id = "com.shop:id/cityET") WebElement city;
  private static final String NAME = "Luke";
  @Test
  public void checkoutWithCard() {
    driver
        .findElement(By.id("com.shop:id/fullNameET"))
        .sendKeys(NAME + " Perry");
    city.sendKeys("Springfield");
    driver.findElement(By.name("cardNumber")).sendKeys("4111111111111111");
    WebElement cvv = driver.findElement(By.xpath("//input[@name='cvv']"));
    cvv.sendKeys("123");
    driver.findElement(AppiumBy.accessibilityId("Coupon code")).sendKeys("SPRING");
  }
}`,
    });
    expect(result.format).toBe('SELENIUM_JAVA');
    expect(summary(result)).toEqual([
      ['address', ['full_name:string:Luke Perry@8', 'city:string:Springfield@10']],
      // The value is typed on line 13, through the element found on line 12.
      ['payment', ['card_number:credit_card:4111111111111111@11', 'cvv:string:123@13']],
      ['order', ['coupon_code:string:SPRING@14']],
    ]);
    expect(result.entities[1]?.fields[1]?.constraints).toEqual(['pattern:^\\d{3}$']);
    expect(result.entities[0]?.exampleRows).toEqual([{ full_name: 'Luke Perry', city: 'Springfield' }]);
  });

  it('reads Selenium Python send_keys, locator tuples, variables and f-strings', () => {
    const result = analyzeTestCase({
      content: `from selenium.webdriver.common.by import By

PASSWORD = (By.CSS_SELECTOR, 'input#password')

def test_login(driver):
    user = 'standard'
    driver.find_element(By.ID, 'user-name').send_keys(f'{user}_user')
    driver.find_element(*PASSWORD).send_keys("secret_sauce")
    driver.find_element_by_name('email').send_keys('a@b.io')
    driver.find_element(By.ID, 'login-button').click()
`,
    });
    expect(result.format).toBe('SELENIUM_PYTHON');
    expect(summary(result)).toEqual([['user', ['user_name:string:standard_user@7', 'password:password:secret_sauce@8', 'email:email:a@b.io@9']]]);
    expect(result.entities[0]?.exampleRows).toEqual([{ user_name: 'standard_user', password: 'secret_sauce', email: 'a@b.io' }]);
  });

  it.each([
    { fileName: 'broken.cy.ts', content: "describe('x', () => {\n  cy.get('#a').type('b'\n})\n", line: 3 },
    { fileName: 'Broken.java', content: 'import org.openqa.selenium.By;\nclass A {\n  void x() { int a = ; }\n}\n', line: 3 },
    { fileName: 'broken.py', content: "from selenium import webdriver\n\ndef test_x(driver):\n    driver.find_element(By.ID, 'a').send_keys(\n", line: 4 },
  ])('rejects malformed code ($fileName) with its line', ({ fileName, content, line }) => {
    let error: unknown;
    try {
      analyzeTestCase({ content, fileName });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).details).toMatchObject({ line, fileName });
  });
});

describe('detectFormat', () => {
  const cases: { content: string; fileName?: string; format: string }[] = [
    { content: 'anything', fileName: 'a.feature', format: 'GHERKIN' },
    { content: '# a comment\n@tag @other\nFeature: X\n', format: 'GHERKIN' },
    { content: '# language: de\nFunktionalität: X\n', format: 'GHERKIN' },
    { content: "const s = 'Feature: not gherkin';\n", format: 'UNKNOWN' },
    { content: "it('x', () => { cy.visit('/') })", format: 'CYPRESS' },
    { content: 'export {}', fileName: 'login.cy.js', format: 'CYPRESS' },
    { content: "import { test } from '@playwright/test';", format: 'PLAYWRIGHT' },
    { content: "await page.goto('/');", format: 'PLAYWRIGHT' },
    { content: 'WebElement e = driver.findElement(By.id("x"));', format: 'SELENIUM_JAVA' },
    { content: 'class A {}', fileName: 'A.java', format: 'UNKNOWN' },
    { content: "driver.find_element(By.ID, 'x').send_keys('y')", format: 'SELENIUM_PYTHON' },
    { content: 'print(1)', fileName: 'a.py', format: 'UNKNOWN' },
    { content: 'just some notes', format: 'UNKNOWN' },
  ];
  it.each(cases)('$format ← $fileName $content', ({ content, fileName, format }) => {
    expect(detectFormat(content, fileName)).toBe(format);
  });

  it('returns no entities for unknown text', () => {
    expect(analyzeTestCase({ content: 'just some notes' })).toMatchObject({ format: 'UNKNOWN', entities: [], needsSyntheticData: false });
    expect(analyzeTestCase({ content: 'just some notes' }).reason).toMatch(/not recognised/);
  });
});

describe('field naming and typing', () => {
  it.each([
    ['First name *', 'first_name', true],
    ['E-mail:', 'email', false],
    ['the "Zip code" field', 'zip_code', false],
    ['user[address][city]', 'city', false],
    ['emailAddress', 'email_address', false],
  ])('label %s → %s', (label, name, required) => {
    expect(fieldNameFromLabel(label)).toEqual({ name, required });
  });

  it.each([
    ['#email', 'email'],
    ['.action-email', 'email'],
    ['[data-test="signup-first-name"]', 'first_name'],
    ['form > input[name="lastName"]', 'last_name'],
    ['//input[@id="phoneInput"]', 'phone'],
  ])('selector %s → %s', (selector, name) => {
    expect(fieldNameFromSelector(selector)).toBe(name);
  });

  it.each([
    ['com.app:id/zipCodeET', 'zip_code'],
    ['signin-username', 'username'],
    ['bankName-input', 'bank_name'],
    ['profile[tag_string]', 'tag_string'],
    ['profile_first_name', 'first_name'],
    ['user_name', 'user_name'],
    ['accountNumber-input', 'account_number'],
  ])('identifier %s → %s', (identifier, name) => {
    expect(fieldNameFromIdentifier(identifier)).toBe(name);
  });

  it.each([
    ['notes', ['a@b.co', 'c@d.org'], 'email'],
    ['created_at', [], 'datetime'],
    ['start', ['2024-01-02T10:00:00Z'], 'datetime'],
    ['start', ['12.03.2024', '2024/03/12', 'March 12, 2024'], 'date'],
    ['homepage', [], 'url'],
    ['seats', ['2', '10'], 'integer'],
    ['price', ['19.99'], 'decimal'],
    ['routing_number', ['987654321'], 'string'],
    ['bio', [], 'text'],
    ['opens', ['09:30'], 'time'],
    ['code', ['007'], 'string'],
    ['contact', ['+1 (555) 010-0199'], 'phone'],
    ['contact', ['555-010-0199'], 'phone'],
    ['isbn', ['978-3-16-148410-0'], 'string'],
    ['enabled', [], 'boolean'],
    ['flag', ['true', 'false'], 'boolean'],
    ['nickname', ['annie'], 'string'],
  ])('%s %j → %s', (name, values, type) => {
    expect(inferFieldType(name, values)).toBe(type);
  });
});

describe('constraints from validation messages', () => {
  it.each([
    ['Username is required', ['required']],
    ['Must contain at least 5 characters', ['min_length:5']],
    ['Must contain no more than 12 digits', ['max_length:12']],
    ['must be exactly 9 digits', ['min_length:9', 'max_length:9']],
    ['Enter a bank name', ['required']],
    ['Email has already been taken', ['unique']],
    ['Phone number is not valid', ['valid_format']],
    ['Welcome back!', []],
  ])('%s → %j', (message, constraints) => {
    expect(constraintsFromMessage(message)).toEqual(constraints);
  });
});

describe('constraints quoted in "I should see" steps', () => {
  it('attach to the field the message names, never to the pronoun of the step', () => {
    const analysis = analyzeTestCase({
      content: `Feature: Registration
  Scenario: Email must be unique
    When I fill in "Email" with "bob@test.com"
    And I fill in "Password" with "short"
    Then I should see "This email is already used"
    And I should see "The password must be at least 8 characters long"
`,
      fileName: 'registration.feature',
    });
    const fields = analysis.entities.flatMap((e) => e.fields);
    expect(fields.map((f) => f.name)).toEqual(['email', 'password']);
    expect(fields[0]?.constraints).toContain('unique');
    expect(fields[1]?.constraints).toContain('min_length:8');
  });
});
