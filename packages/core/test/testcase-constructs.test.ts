/**
 * Constructs real suites use to fill a form that a plain `locator.fill(value)` reading misses, each
 * on a small hand-written snippet: an element known only by its kind or its styling classes, keys
 * typed between strings, a custom dropdown opened and then an option picked, a radio group chosen
 * by clicking its Rails ids, page objects called with the user's data (values, names, objects,
 * setters, login pairs) in four languages, uploads, unticking and picking by position, and values
 * followed from one page-object method into another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { fieldNameFromSelector } from '../src/testcase/fields.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';

beforeAll(() => loadTestCaseParsers());

const seen = (a: TestCaseAnalysis) => a.entities.flatMap((e) => e.fields.map((f) => `${f.name}=${f.exampleValues.join('|')}`)).sort();

describe('selectors that name a field by its classes or its input type', () => {
  it.each([
    ["[class*='input-text qty text']", 'qty'],
    ['input.input-text.quantity', 'quantity'],
    ["//input[@class='form-control zip']", 'zip'],
    ["input[type='email']", 'email'],
    ["//input[@type='password']", 'password'],
    ["(//input[@type='text'])[3]", 'text'],
    ['form .row > input#city', 'city'],
  ])('%s → %s', (selector, name) => {
    expect(fieldNameFromSelector(selector)).toBe(name);
  });
});

describe('Selenium Python', () => {
  it('names text typed into an element known only by its kind after the kind, and keeps keys between strings', () => {
    const content = `from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

def test_form(driver):
    notes = driver.find_element(By.TAG_NAME, "textarea")
    notes.send_keys("Some", Keys.ENTER, "Text")
    driver.find_element(By.XPATH, "(//input[@type='text'])[2]").send_keys("again")
    driver.find_element(By.CSS_SELECTOR, "[class*='input-text qty text']").send_keys("2")
`;
    expect(seen(analyzeTestCase({ content, fileName: 'test_form.py' }))).toEqual(['qty=2', 'text=again', 'textarea=Some\nText']);
  });

  it('does not name a field from a bare input tag', () => {
    const content = `from selenium.webdriver.common.by import By\n\ndef test_x(driver):\n    driver.find_element(By.TAG_NAME, "input").click()\n`;
    expect(seen(analyzeTestCase({ content, fileName: 'test_x.py' }))).toEqual([]);
  });
});

describe('Playwright custom dropdowns: clicked open, then an option picked', () => {
  it('reads a combobox named by filter({ hasText }) and an element kept as …Dropdown as select fields', () => {
    const content = `import { Locator, Page } from '@playwright/test';
export class TicketPage {
  readonly levelDropdown: Locator;
  readonly teamDropdown: Locator;
  readonly labelsDropdown: Locator;
  constructor(readonly page: Page) {
    this.levelDropdown = page.getByRole('combobox').filter({ hasText: 'Severity' });
    this.teamDropdown = page.getByRole('combobox', { name: 'Team' });
    this.labelsDropdown = page.getByLabel('Labels', { exact: true });
  }
  async chooseLevel(level: string = 'High') {
    await this.levelDropdown.click();
    await this.page.getByText(level, { exact: true }).click();
  }
  async chooseTeam() {
    await this.teamDropdown.click();
    await this.page.getByRole('option', { name: 'Platform' }).click();
  }
  async chooseLabels(labels: string[]) {
    await this.labelsDropdown.click();
    for (const label of labels) {
      await this.page.getByRole('checkbox', { name: label }).check();
    }
  }
}
`;
    const analysis = analyzeTestCase({ content, fileName: 'ticket-page.ts' });
    expect(seen(analysis)).toEqual(['labels=', 'severity=High', 'team=Platform']);
  });

  it('does not read a click on a button followed by another click as a pick', () => {
    const content = `import { test } from '@playwright/test';
test('opens', async ({ page }) => {
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByText('Settings').click();
  const more = page.locator('#more');
  await more.click();
  await page.getByText('About').click();
});
`;
    expect(seen(analyzeTestCase({ content, fileName: 'menu.spec.ts' }))).toEqual([]);
  });
});

describe('page objects in another file, called with the test data', () => {
  it('C#: names literal arguments after the same method called with a record’s properties', () => {
    const content = `using Microsoft.Playwright.NUnit;
public class SignupTests : PageTest {
  [Test]
  public async Task Rejects_A_Bad_Email() {
    var signup = new SignupPage(this.Page);
    await signup.RegisterAsync("not-an-email", "secret");
  }
  [Test]
  public async Task Registers(Customer customer) {
    SignupPage signup = new SignupPage(this.Page);
    await signup.RegisterAsync(customer.Email, customer.Password);
    await signup.RegisterAsync(customer);
    await signup.EnterPhoneAsync("+44 20 7946 0958");
    await helper.RegisterAsync("x", "y");
  }
}
`;
    expect(seen(analyzeTestCase({ content, fileName: 'SignupTests.cs' }))).toEqual(['email=not-an-email', 'password=secret', 'phone=+44 20 7946 0958']);
  });

  it('C#: a value that is a built-in constant (string.Empty) does not name its argument', () => {
    const content = `using Microsoft.Playwright.NUnit;
public class T : PageTest {
  public async Task Empty() { var p = new RegisterPage(Page); await p.RegisterAsync(string.Empty, string.Empty); }
  public async Task Named(User user) { var p = new RegisterPage(Page); await p.RegisterAsync(user.Email, user.Password); }
}
`;
    expect(seen(analyzeTestCase({ content, fileName: 'T.cs' }))).toEqual(['email=', 'password=']);
  });

  it('Java: a login page object’s two arguments are a user name (or email) and a password', () => {
    const content = `import org.junit.jupiter.api.Test;
class LoginTest {
    AccountLoginPage login;
    @Test
    void ok() {
        login.with("ann", "s3cret");
        login.open("https://example.org");
    }
    @Test
    void byEmail() {
        var page = new AccountLoginPage("chrome");
        page.logIn("ann@example.org", "s3cret");
    }
}
`;
    expect(seen(analyzeTestCase({ content, fileName: 'LoginTest.java' }))).toEqual(['email=ann@example.org', 'password=s3cret', 'username=ann']);
  });

  it('Java: a page object’s setter names its field; calls on other objects name nothing', () => {
    const content = `import org.junit.jupiter.api.Test;
class ProfileTest {
    @Test
    void edits() {
        ProfilePage profile = new ProfilePage(driver);
        profile.setLastName("Lee");
        profile.selectCountry("France");
        assertions.add("a", "b");
        driver.get("https://example.org");
    }
}
`;
    expect(seen(analyzeTestCase({ content, fileName: 'ProfileTest.java' }))).toEqual(['country=France', 'last_name=Lee']);
  });
});

describe('Capybara radio buttons clicked by their Rails ids', () => {
  it('reads ids sharing record_attribute_ and differing after it as options of that field', () => {
    const content = `feature 'Sign up' do
  scenario 'a member joins' do
    visit new_member_path
    find_by_id('member_contact_by_email').click
    find('#member_contact_by_phone').click
    find_by_id('member_save_button').click
    find_by_id('accept_cookies').click
  end
  scenario 'another page' do
    find('#menu_open').click
    find('#profile_tab').click
  end
end
`;
    expect(seen(analyzeTestCase({ content, fileName: 'signup_spec.rb' }))).toEqual(['contact_by=email|phone']);
  });
});

describe('page objects in TypeScript and Python', () => {
  it('TypeScript: a login page object called with literals, a setter, and fields named by the arguments', () => {
    const content = `import { test } from '@playwright/test';
import { LoginPage } from './pages/login-page';
test('logs in', async ({ page, checkoutPage }) => {
  const login = new LoginPage(page);
  await login.login('standard_user', 'secret_sauce');
  await checkoutPage.enterPostalCode('75001');
  const firstName = 'Ann';
  await checkoutPage.fillAddress(firstName, order.city);
  await page.setContent('<p>x</p>');
  await checkoutPage.fillAddress(order);
});
`;
    expect(seen(analyzeTestCase({ content, fileName: 'login.spec.ts' }))).toEqual([
      'city=',
      'first_name=Ann',
      'password=secret_sauce',
      'postal_code=75001',
      'username=standard_user',
    ]);
  });
});

describe('page objects in Python', () => {
  it('reads a login page object’s literals, keyword arguments and a one-field setter', () => {
    const content = `from selenium.webdriver.common.by import By
from pages.login_page import LoginPage

def test_login(driver):
    login = LoginPage(driver)
    login.login("ann", "s3cret")
    driver.set_window_size(800, 600)

def test_signup(driver, signup_page):
    signup_page.register(email="ann@example.org", password="pw123456")
    signup_page.enter_phone("+44 20 7946 0958")
    driver.find_element(By.ID, "city").send_keys("Lyon")
`;
    expect(seen(analyzeTestCase({ content, fileName: 'test_login.py' }))).toEqual([
      'city=Lyon',
      'email=ann@example.org',
      'password=s3cret|pw123456',
      'phone=+44 20 7946 0958',
      'username=ann',
    ]);
  });
});

describe('uploads, unticking and picking by position in every language', () => {
  it.each([
    {
      fileName: 'profile.spec.ts',
      content: `import { test } from '@playwright/test';\ntest('p', async ({ page }) => {\n  await page.setInputFiles('#avatar', 'me.png');\n  await page.getByLabel('Newsletter').uncheck();\n  await $('#country').selectByIndex(2);\n  await $('#title').selectByVisibleText('Dr');\n});\n`,
      fields: ['avatar=me.png', 'country=', 'newsletter=', 'title=Dr'],
    },
    {
      fileName: 'test_profile.py',
      content: `from selenium.webdriver.support.select import Select\nfrom selenium.webdriver.common.by import By\n\ndef test_p(driver, page):\n    Select(driver.find_element(By.ID, "country")).select_by_index(2)\n    page.set_input_files("#avatar", "me.png")\n    page.get_by_label("Newsletter").uncheck()\n`,
      fields: ['avatar=me.png', 'country=', 'newsletter='],
    },
    {
      fileName: 'ProfileTest.java',
      content: `import org.openqa.selenium.support.ui.Select;\nclass ProfileTest {\n  void p() {\n    new Select(driver.findElement(By.id("country"))).selectByIndex(2);\n    page.setInputFiles("#avatar", Paths.get("me.png"));\n  }\n}\n`,
      fields: ['avatar=', 'country='],
    },
    {
      fileName: 'ProfileTests.cs',
      content: `using OpenQA.Selenium;\npublic class ProfileTests {\n  public async Task P() {\n    new SelectElement(_driver.FindElement(By.Id("country"))).SelectByIndex(2);\n    await Page.SetInputFilesAsync("#avatar", "me.png");\n    await Page.GetByLabel("Newsletter").UncheckAsync();\n  }\n}\n`,
      fields: ['avatar=me.png', 'country=', 'newsletter='],
    },
  ])('$fileName', ({ fileName, content, fields }) => {
    expect(seen(analyzeTestCase({ content, fileName }))).toEqual(fields);
  });
});

describe('an object written in a page-object call names a field by each key', () => {
  it.each([
    {
      fileName: 'checkout.spec.ts',
      content: `import { test } from '@playwright/test';\ntest('c', async ({ page, checkoutPage }) => {\n  const city = 'Lyon';\n  await checkoutPage.fillAddress({ firstName: 'Ann', city, zip: '69001' });\n  await checkoutPage.submit({ force: true });\n  await page.goto('/', { waitUntil: 'load' });\n});\n`,
      fields: ['city=Lyon', 'first_name=Ann', 'zip=69001'],
    },
    {
      fileName: 'checkout.cy.js',
      content: `describe('c', () => {\n  it('pays', () => {\n    cy.visit('/');\n    cy.fillCheckout({ cardNumber: '4111 1111 1111 1111', holder: 'Ann Lee' });\n    cy.setCookie('session');\n  });\n});\n`,
      fields: ['card_number=4111 1111 1111 1111', 'holder=Ann Lee'],
    },
    {
      fileName: 'test_checkout.py',
      content: `def test_c(page, checkout_page):\n    page.goto("/")\n    checkout_page.fill_address({"first_name": "Ann", "city": "Lyon"})\n`,
      fields: ['city=Lyon', 'first_name=Ann'],
    },
    {
      fileName: 'CheckoutTests.cs',
      content: `using Microsoft.Playwright.NUnit;\npublic class CheckoutTests : PageTest {\n  public async Task C() {\n    var checkout = new CheckoutPage(Page);\n    await Page.GotoAsync("/");\n    await checkout.FillAddressAsync(new Address { FirstName = "Ann", City = "Lyon" });\n    await checkout.SubmitAsync(new { Coupon = "SAVE10" });\n  }\n}\n`,
      fields: ['city=Lyon', 'coupon=SAVE10', 'first_name=Ann'],
    },
  ])('$fileName', ({ fileName, content, fields }) => {
    expect(seen(analyzeTestCase({ content, fileName }))).toEqual(fields);
  });
});

describe('values followed from one page-object method into another', () => {
  it('gives a helper method’s parameter the value its caller passed, over its own default', () => {
    const content = `import { Locator, Page } from '@playwright/test';
export class OrderPage {
  constructor(readonly page: Page) {}
  async order(city: string = 'Lyon', size: string = 'XL') {
    await this.fillCity(city);
    await this.pickSize(size);
  }
  async fillCity(city: string) {
    await this.page.getByLabel('City').fill(city);
  }
  async pickSize(size: string = 'S') {
    await this.page.getByLabel('Size').selectOption(size);
  }
}
`;
    expect(seen(analyzeTestCase({ content, fileName: 'order-page.ts' }))).toEqual(['city=Lyon', 'size=XL']);
  });
});
