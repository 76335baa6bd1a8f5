import { analyzeCode } from './code.ts';
import { analyzeGherkin } from './gherkin.ts';
import type { TestCaseAnalysis, TestCaseFormat } from './types.ts';

/** A test case as the caller has it: its text and, when known, its file name. */
export interface TestCaseSource {
  content: string;
  /** Helps recognise the format (`.feature`, `.cy.ts`, `.java`, `.py`). */
  fileName?: string;
}

/**
 * Reads a test case and reports its format and the entities and fields it fills in, with a type,
 * constraints, example values and the line each field first appears on. Gherkin goes through the
 * Cucumber parser (malformed text throws `InvalidInputError` with the parser's line); Cypress,
 * Playwright and Selenium through patterns over the calls that type into fields. Pure and synchronous.
 */
export function analyzeTestCase({ content, fileName }: TestCaseSource): TestCaseAnalysis {
  const format = detectFormat(content, fileName);
  if (format === 'GHERKIN') return { format, entities: analyzeGherkin(content, fileName) };
  return { format, entities: analyzeCode(format, content, fileName) };
}

/** The format from the file name where it is decisive, else from the content. */
export function detectFormat(content: string, fileName?: string): TestCaseFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.feature')) return 'GHERKIN';
  if (/\.cy\.[cm]?[jt]sx?$/.test(name)) return 'CYPRESS';
  if (name.endsWith('.java')) return looksLikeSeleniumJava(content) ? 'SELENIUM_JAVA' : 'UNKNOWN';
  if (name.endsWith('.py')) return looksLikeSeleniumPython(content) ? 'SELENIUM_PYTHON' : 'UNKNOWN';
  if (looksLikeGherkin(content)) return 'GHERKIN';
  if (/\bcy\s*\.\s*(?:get|visit|contains|getBySel\w*|intercept|request|findBy\w+|login)\s*\(/.test(content)) return 'CYPRESS';
  if (/@playwright\/test|\bpage\s*\.\s*(?:goto|fill|getBy\w+|locator|click|type)\s*\(/.test(content)) return 'PLAYWRIGHT';
  if (looksLikeSeleniumJava(content)) return 'SELENIUM_JAVA';
  if (looksLikeSeleniumPython(content)) return 'SELENIUM_PYTHON';
  return 'UNKNOWN';
}

// The first line that is not blank, a comment or a tag starts a feature (in any Gherkin language a
// `# language:` header announces it).
function looksLikeGherkin(content: string): boolean {
  if (/^\s*#\s*language\s*:/m.test(content.split('\n', 3).join('\n'))) return true;
  for (const line of content.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('@')) continue;
    return /^(?:Feature|Ability|Business Need)\s*:/.test(t);
  }
  return false;
}

function looksLikeSeleniumJava(content: string): boolean {
  return /import\s+(?:org\.openqa\.selenium|io\.appium)|\.findElements?\s*\(|\.sendKeys\s*\(|\bWebDriver\b/.test(content);
}

function looksLikeSeleniumPython(content: string): boolean {
  return /\bfrom\s+selenium\b|\bimport\s+selenium\b|\.find_elements?(?:_by_\w+)?\s*\(|\.send_keys\s*\(/.test(content);
}
