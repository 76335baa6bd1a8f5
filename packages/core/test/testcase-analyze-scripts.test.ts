/**
 * The test-case analyser on small Cypress, Playwright and Selenium samples, and the format it
 * detects from a file's name and content (Gherkin: testcase-analyze.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { analyzeTestCase, detectFormat, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';

await loadTestCaseParsers();

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
