/**
 * Which kind of test a text is: the file name decides where it is decisive (`.feature`, `.robot`,
 * `.cy.ts`), then the imports and calls in the content (Playwright's `page.fill`, Selenium's
 * `sendKeys`, TestCafe's `typeText`, Capybara's `fill_in` …). Bare Gherkin steps without a
 * `Feature:` line are Gherkin.
 */
import { bareStepLanguage } from './gherkin.ts';
import type { TestCaseFormat } from './types.ts';

const PLAYWRIGHT_PY = /\bfrom\s+playwright\b|\bimport\s+playwright\b|\bpage\s*\.\s*(?:goto|fill|get_by_\w+|locator|type|press_sequentially|select_option)\s*\(/;
const SELENIUM_PY = /\bfrom\s+(?:selenium|appium)\b|\bimport\s+(?:selenium|appium)\b|\.find_elements?(?:_by_\w+)?\s*\(|\.send_keys\s*\(/;
const PLAYWRIGHT_JAVA = /\bcom\.microsoft\.playwright\b|\bpage\s*\.\s*(?:navigate|getByLabel|getByPlaceholder|getByRole)\s*\(/;
const SELENIUM_JAVA = /import\s+(?:org\.openqa\.selenium|io\.appium)|\.findElements?\s*\(|\.sendKeys\s*\(|\bWebDriver\b|@(?:Android|iOSXCUIT)?FindBy\b/;
const JAVA_TEST = /import\s+(?:static\s+)?org\.(?:junit|testng)\b/;
const PLAYWRIGHT_CS =
  /\bMicrosoft\.Playwright\b|\.(?:FillAsync|TypeAsync|PressSequentiallyAsync|SelectOptionAsync|CheckAsync)\s*\(|\bGetBy(?:Label|Placeholder|Role|TestId)\s*\(/;
const SELENIUM_CS = /\bOpenQA\.Selenium\b|\.FindElements?\s*\(|\.SendKeys\s*\(|\bIWebDriver\b/;
const CAPYBARA =
  /\bfill_in\b|\bvisit\s*\(?\s*['"\w]|\bclick_(?:on|button|link)\b|\bselect\s+['"][^'"]*['"]\s*,\s*from:|\bCapybara\b|\bhave_(?:content|css|selector)\b/;
const ROBOT = /^\*{3}\s*(?:Settings?|Test Cases?|Tasks?|Keywords?|Variables?)\s*\*{3}/im;
const TESTCAFE = /\brequire\s*\(\s*['"]testcafe['"]\s*\)|\bfrom\s+['"]testcafe['"]|^\s*fixture\s*(?:\(|`)|\bt\s*\.\s*typeText\s*\(/m;
const NIGHTWATCH = /\bbrowser\s*\.\s*(?:navigateTo|url|setValue|waitForElementVisible)\s*\(|\bnightwatch\b|\.setValue\s*\(\s*['"]@/;
const WEBDRIVERIO = /(?:^|[\s(=])\$\$?\s*\(|\bbrowser\s*\.\s*(?:url|\$|pause|openQuestionnaire)\b|@wdio\//;
const CYPRESS = /\bcy\s*\.\s*(?:get|visit|contains|getBySel\w*|intercept|request|findBy\w+|login\w*|task|database)\s*\(/;
const PLAYWRIGHT_JS = /@playwright\/test|\bpage\s*\.\s*(?:goto|fill|getBy\w+|locator|click|type)\s*\(/;

/** The format from the file name where it is decisive, else from the content. */
export function detectFormat(content: string, fileName?: string): TestCaseFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.feature')) return 'GHERKIN';
  if (/\.(?:robot|resource)$/.test(name)) return 'ROBOT';
  if (/\.cy\.[cm]?[jt]sx?$/.test(name)) return 'CYPRESS';
  // A JUnit/TestNG test driving a page object is a Selenium test whose calls live in another file.
  if (name.endsWith('.java'))
    return PLAYWRIGHT_JAVA.test(content) ? 'PLAYWRIGHT_JAVA' : SELENIUM_JAVA.test(content) || JAVA_TEST.test(content) ? 'SELENIUM_JAVA' : 'UNKNOWN';
  if (name.endsWith('.py')) return PLAYWRIGHT_PY.test(content) ? 'PLAYWRIGHT_PYTHON' : SELENIUM_PY.test(content) ? 'SELENIUM_PYTHON' : 'UNKNOWN';
  if (name.endsWith('.cs')) return PLAYWRIGHT_CS.test(content) ? 'PLAYWRIGHT_DOTNET' : SELENIUM_CS.test(content) ? 'SELENIUM_CSHARP' : 'UNKNOWN';
  if (name.endsWith('.rb')) return CAPYBARA.test(content) ? 'CAPYBARA' : 'UNKNOWN';
  if (/\.[cm]?[jt]sx?$/.test(name)) return jsFormat(content) ?? 'UNKNOWN';
  if (looksLikeGherkin(content)) return 'GHERKIN';
  if (ROBOT.test(content)) return 'ROBOT';
  // Python's `def f(x):` and `from x import y` read as nothing else.
  if (/^\s*(?:(?:async\s+)?def\s+\w+\s*\([^)]*\)\s*(?:->[^:]+)?:\s*$|from\s+[\w.]+\s+import\s)/m.test(content)) {
    if (PLAYWRIGHT_PY.test(content)) return 'PLAYWRIGHT_PYTHON';
    if (SELENIUM_PY.test(content)) return 'SELENIUM_PYTHON';
  }
  const js = jsFormat(content);
  if (js) return js;
  if (/\busing\s+[\w.]+\s*;/.test(content) || /\bnamespace\s+[\w.]+/.test(content)) {
    if (PLAYWRIGHT_CS.test(content)) return 'PLAYWRIGHT_DOTNET';
    if (SELENIUM_CS.test(content)) return 'SELENIUM_CSHARP';
  }
  if (/^\s*(?:package|import)\s+[\w.]+(?:\.\*)?\s*;/m.test(content)) {
    if (PLAYWRIGHT_JAVA.test(content)) return 'PLAYWRIGHT_JAVA';
    if (SELENIUM_JAVA.test(content)) return 'SELENIUM_JAVA';
  }
  if (/^\s*(?:def\s+\w+\s*\(|from\s+\w+|import\s+\w+)/m.test(content)) {
    if (PLAYWRIGHT_PY.test(content)) return 'PLAYWRIGHT_PYTHON';
    if (SELENIUM_PY.test(content)) return 'SELENIUM_PYTHON';
  }
  if (/\b(?:describe|feature|scenario|it)\s+['"][^'"]*['"]\s*(?:,\s*\w+:\s*\w+\s*)?do\b/.test(content) && CAPYBARA.test(content)) return 'CAPYBARA';
  if (SELENIUM_JAVA.test(content) && /;\s*$/m.test(content)) return 'SELENIUM_JAVA';
  if (SELENIUM_PY.test(content)) return 'SELENIUM_PYTHON';
  return 'UNKNOWN';
}

function jsFormat(content: string): TestCaseFormat | undefined {
  if (TESTCAFE.test(content)) return 'TESTCAFE';
  if (CYPRESS.test(content)) return 'CYPRESS';
  if (PLAYWRIGHT_JS.test(content)) return 'PLAYWRIGHT';
  if (WEBDRIVERIO.test(content)) return 'WEBDRIVERIO';
  if (NIGHTWATCH.test(content)) return 'NIGHTWATCH';
  return undefined;
}

// The first line that is not blank, a comment or a tag starts a feature (in any Gherkin language a
// `# language:` header announces it), or is a step of a bare list of steps.
function looksLikeGherkin(content: string): boolean {
  const text = content.replace(/^\uFEFF/, '');
  if (/^\s*#\s*language\s*:/m.test(text.split('\n', 3).join('\n'))) return true;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('@')) continue;
    if (/^(?:Feature|Ability|Business Need)\s*:/.test(t)) return true;
    break;
  }
  return bareStepLanguage(text) !== undefined;
}
