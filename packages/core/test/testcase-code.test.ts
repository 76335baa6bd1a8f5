/**
 * UI tests in code, one small suite per language and framework as teams write them: Playwright in
 * Python, Java and .NET, Selenium in C#, TestCafe, Nightwatch, WebdriverIO, Robot Framework and
 * Capybara — each through a real parser — plus locator → field naming. What a user notices: the
 * format detected, the fields (snake_case) and the values the test types.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { fieldNameFromLabel, fieldNameFromSelector } from '../src/testcase/fields.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';

beforeAll(() => loadTestCaseParsers());

const seen = (a: TestCaseAnalysis) => a.entities.flatMap((e) => e.fields.map((f) => `${f.name}=${f.exampleValues.join('|')}`));

describe('code in every listed language and framework', () => {
  it.each([
    {
      name: 'Playwright Python',
      fileName: 'test_signup.py',
      content: `from playwright.sync_api import Page\n\nCITY = "Lyon"\n\ndef test_signup(page: Page):\n    page.fill("#email", "ann@example.org")\n    page.get_by_label("First name").fill("Ann")\n    page.locator("[data-testid='city']").fill(CITY)\n    page.get_by_role("textbox", name="Last name").fill("Lee")\n    page.get_by_label("Country").select_option("France")\n`,
      format: 'PLAYWRIGHT_PYTHON',
      fields: ['email=ann@example.org', 'first_name=Ann', 'city=Lyon', 'last_name=Lee', 'country=France'],
    },
    {
      name: 'Playwright Java',
      fileName: 'SignupTest.java',
      content: `import com.microsoft.playwright.*;\nclass SignupTest {\n  void signup(Page page) {\n    String city = "Lyon";\n    page.locator("[data-testid='city']").fill(city);\n    page.getByLabel("First name").fill("Ann");\n    page.fill("#email", "ann@example.org");\n    page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Last name")).fill("Lee");\n  }\n}\n`,
      format: 'PLAYWRIGHT_JAVA',
      fields: ['city=Lyon', 'first_name=Ann', 'email=ann@example.org', 'last_name=Lee'],
    },
    {
      name: 'Playwright .NET',
      fileName: 'SignupTests.cs',
      content: `using Microsoft.Playwright;\npublic class SignupTests : PageTest {\n  private const string City = "Lyon";\n  public async Task Signup() {\n    await Page.GetByLabel("First name").FillAsync("Ann");\n    await Page.Locator("[data-testid='city']").FillAsync(City);\n    await Page.FillAsync("#Input_Email", $"ann@{"example.org"}");\n    await Page.GetByRole(AriaRole.Textbox, new() { Name = "Last name" }).FillAsync("Lee");\n  }\n}\n`,
      format: 'PLAYWRIGHT_DOTNET',
      fields: ['first_name=Ann', 'city=Lyon', 'email=ann@example.org', 'last_name=Lee'],
    },
    {
      name: 'Selenium C#',
      fileName: 'CheckoutTests.cs',
      content: `using OpenQA.Selenium;\npublic class CheckoutTests {\n  public void Checkout() {\n    var firstName = _driver.FindElement(By.Id("billing_first_name"));\n    firstName.SendKeys("Anton");\n    _driver.FindElement(By.Name("billing_city")).SendKeys("Berlin");\n    new SelectElement(_driver.FindElement(By.Id("country"))).SelectByText("Germany");\n  }\n}\n`,
      format: 'SELENIUM_CSHARP',
      fields: ['billing_first_name=Anton', 'billing_city=Berlin', 'country=Germany'],
    },
    {
      name: 'TestCafe',
      fileName: 'register.js',
      content: `import { Selector } from 'testcafe';\nfixture('Register').page('http://x');\ntest('new user', async (t) => {\n  await t.click('.register').typeText('#user_firstname', 'Ann').typeText('#user_mail', 'ann@x.io');\n});\n`,
      format: 'TESTCAFE',
      fields: ['firstname=Ann', 'mail=ann@x.io'],
    },
    {
      name: 'Nightwatch',
      fileName: 'checkout.js',
      content: `describe('Checkout', function () {\n  it('ships', function (browser) {\n    browser.navigateTo('http://x').setValue('#username input', ['demouser', browser.Keys.ENTER]).setValue('#postCodeInput', '127001');\n  });\n});\n`,
      format: 'NIGHTWATCH',
      fields: ['username=demouser', 'post_code=127001'],
    },
    {
      name: 'WebdriverIO',
      fileName: 'address.spec.js',
      content: `describe('Address', () => {\n  it('fills', async () => {\n    await $(AddressPage.Line1()).setValue('Evelyn Street');\n    await $('#postcode').setValue('CF63 4JG');\n  });\n});\n`,
      format: 'WEBDRIVERIO',
      fields: ['line1=Evelyn Street', 'postcode=CF63 4JG'],
    },
    {
      name: 'Robot Framework',
      fileName: 'login.robot',
      content: `*** Variables ***\n\${USER}    demo\n\n*** Test Cases ***\nValid Login\n    Input Text    id:username_field    \${USER}\n    Input Password    password_field    secret\n    Select From List By Label    css=#country    France\n    Fill Text    css=#email    ann@x.io\n    Check Checkbox    css=#terms\n`,
      format: 'ROBOT',
      fields: ['username=demo', 'password=secret', 'country=France', 'email=ann@x.io', 'terms='],
    },
    {
      name: 'Capybara',
      fileName: 'signup_spec.rb',
      content: `feature 'Sign up' do\n  let(:email) { 'jane@codebar.io' }\n  scenario 'a member joins' do\n    visit root_path\n    fill_in 'member_name', with: 'Jane'\n    fill_in 'Email', with: email\n    select 'Bronze', from: 'Level'\n    check 'Vegan'\n    fill_in 'Student spots', with: 20\n  end\nend\n`,
      format: 'CAPYBARA',
      fields: ['member_name=Jane', 'email=jane@codebar.io', 'level=Bronze', 'vegan=', 'student_spots=20'],
    },
  ])('$name', ({ fileName, content, format, fields }) => {
    const analysis = analyzeTestCase({ content, fileName });
    expect(analysis.format).toBe(format);
    expect(seen(analysis).sort()).toEqual([...fields].sort());
    expect(analysis.needsSyntheticData).toBe(true);
  });

  it('follows values through function defaults (Python, TypeScript)', () => {
    const py = analyzeTestCase({
      fileName: 'test_signup.py',
      content: `def sign_up(page, email="ann@x.io", city: str = "Lyon"):\n    page.fill("#email", email)\n    page.get_by_label("City").fill(city)\n`,
    });
    expect(seen(py).sort()).toEqual(['city=Lyon', 'email=ann@x.io']);
    const ts = analyzeTestCase({
      fileName: 'signup.spec.ts',
      content: `import { test } from '@playwright/test';\nasync function signUp(page, email = 'ann@x.io') {\n  await page.fill('#email', email);\n}\n`,
    });
    expect(seen(ts)).toEqual(['email=ann@x.io']);
  });

  it('detects the framework from the content alone', () => {
    expect(analyzeTestCase({ content: `*** Test Cases ***\nX\n    Input Text    id:a    b\n` }).format).toBe('ROBOT');
    expect(analyzeTestCase({ content: `using OpenQA.Selenium;\nclass A { void B() { d.FindElement(By.Id("a")).SendKeys("b"); } }\n` }).format).toBe(
      'SELENIUM_CSHARP',
    );
    expect(analyzeTestCase({ content: `def test_x(page):\n    page.fill("#a", "b")\n` }).format).toBe('PLAYWRIGHT_PYTHON');
  });

  it.each([
    { fileName: 'Broken.cs', content: 'using OpenQA.Selenium;\nclass A {\n  void B() { d.FindElement(By.Id("a")).SendKeys( }\n}\n', line: 3 },
    { fileName: 'broken_spec.rb', content: "feature 'x' do\n  fill_in 'a', with: 'b'\n  scenario 'y' do\n", line: 3 },
  ])('rejects malformed code ($fileName) with its line', ({ fileName, content, line }) => {
    let error: unknown;
    try {
      analyzeTestCase({ content, fileName });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).details).toMatchObject({ fileName });
    expect((error as InvalidInputError).details.line).toBeGreaterThanOrEqual(1);
    expect((error as InvalidInputError).details.line).toBeLessThanOrEqual(line);
  });
});

describe('locator → field name', () => {
  it.each([
    ['#first_name', 'first_name'],
    ['input[name="customer[firstName]"]', 'first_name'],
    ["[data-testid='city']", 'city'],
    ['[data-test="postal-code"]', 'postal_code'],
    ['input#firstName', 'first_name'],
    ['#first-name', 'first_name'],
    ['[aria-label="Phone number"]', 'phone_number'],
    ['[placeholder="Email address"]', 'email_address'],
    ['//input[@name="lastName"]', 'last_name'],
    ['//input[@ng-reflect-name="labelFirstName"]', 'first_name'],
    ['#username input', 'username'],
    ['#Input_Email', 'email'],
  ])('%s → %s', (selector, name) => {
    expect(fieldNameFromSelector(selector)).toBe(name);
  });

  it.each([
    ['First name *', 'first_name', true],
    ['E-mail', 'email', false],
    ['the "Postal code" field', 'postal_code', false],
    ['user[email]', 'email', false],
  ])('label %s → %s', (label, name, required) => {
    expect(fieldNameFromLabel(label)).toEqual({ name, required });
  });

  it('takes the entity from a page object or the test titles', () => {
    const analysis = analyzeTestCase({
      fileName: 'checkout-page.ts',
      content: `export class CheckoutPage {\n  constructor(page) { this.card = page.getByLabel('Card number'); this.street = page.locator('#street'); }\n  async pay() { await this.card.fill('4111 1111 1111 1111'); await this.street.fill('1 Main St'); }\n}\n`,
    });
    expect(analysis.entities.map((e) => [e.name, e.fields.map((f) => f.name)])).toEqual([
      ['payment', ['card_number']],
      ['address', ['street']],
    ]);
  });
});
