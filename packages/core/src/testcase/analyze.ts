import { entitiesFromCode } from './code.ts';
import type { TestCaseAnalysis, TestCaseFormat } from './types.ts';

/** A test case as the caller has it: its text and, when known, its file name. */
export interface TestCaseSource {
  content: string;
  /** Helps recognise the format (`.feature`, `.cy.ts`, `.java`, `.py`). */
  fileName?: string;
}

interface Parsers {
  analyzeGherkin: typeof import('./gherkin.ts').analyzeGherkin;
  analyzeJs: typeof import('./js.ts').analyzeJs;
  analyzeSeleniumJava: typeof import('./selenium-java.ts').analyzeSeleniumJava;
  analyzeSeleniumPython: typeof import('./selenium-python.ts').analyzeSeleniumPython;
}
let parsers: Parsers | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the parsers once per process: Cucumber's, Babel's, java-parser and tree-sitter's Python
 * grammar (a WebAssembly module, which cannot load synchronously). They weigh tens of megabytes, so
 * a process that never reads a test case never loads them. Await it before `analyzeTestCase`;
 * calling it again is free.
 */
export function loadTestCaseParsers(): Promise<void> {
  loading ??= (async () => {
    const [gherkin, js, java, python] = await Promise.all([
      import('./gherkin.ts'),
      import('./js.ts'),
      import('./selenium-java.ts'),
      import('./selenium-python.ts'),
    ]);
    await python.loadPythonGrammar();
    parsers = {
      analyzeGherkin: gherkin.analyzeGherkin,
      analyzeJs: js.analyzeJs,
      analyzeSeleniumJava: java.analyzeSeleniumJava,
      analyzeSeleniumPython: python.analyzeSeleniumPython,
    };
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/**
 * Reads a test case and reports its format and the entities and fields it fills in, with a type,
 * constraints, example values, example rows and the line each field first appears on. Each format
 * goes through a real parser: Gherkin through Cucumber's, Cypress and Playwright through Babel's,
 * Selenium Java through java-parser, Selenium Python through tree-sitter. Malformed input throws
 * `InvalidInputError` with its line. Synchronous, once `await loadTestCaseParsers()` has resolved.
 */
export function analyzeTestCase({ content, fileName }: TestCaseSource): TestCaseAnalysis {
  if (!parsers) throw new Error('the test-case parsers are not loaded: await loadTestCaseParsers() first');
  const { analyzeGherkin, analyzeJs, analyzeSeleniumJava, analyzeSeleniumPython } = parsers;
  const format = detectFormat(content, fileName);
  switch (format) {
    case 'GHERKIN':
      return { format, entities: analyzeGherkin(content, fileName) };
    case 'CYPRESS':
    case 'PLAYWRIGHT':
      return { format, entities: entitiesFromCode(analyzeJs(content, fileName), fileName) };
    case 'SELENIUM_JAVA':
      return { format, entities: entitiesFromCode(analyzeSeleniumJava(content, fileName), fileName) };
    case 'SELENIUM_PYTHON':
      return { format, entities: entitiesFromCode(analyzeSeleniumPython(content, fileName), fileName) };
    default:
      return { format, entities: [] };
  }
}

/** The format from the file name where it is decisive, else from the content. */
export function detectFormat(content: string, fileName?: string): TestCaseFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.feature')) return 'GHERKIN';
  if (/\.cy\.[cm]?[jt]sx?$/.test(name)) return 'CYPRESS';
  if (name.endsWith('.java')) return looksLikeSeleniumJava(content) ? 'SELENIUM_JAVA' : 'UNKNOWN';
  if (name.endsWith('.py')) return looksLikeSeleniumPython(content) ? 'SELENIUM_PYTHON' : 'UNKNOWN';
  if (looksLikeGherkin(content)) return 'GHERKIN';
  if (/\bcy\s*\.\s*(?:get|visit|contains|getBySel\w*|intercept|request|findBy\w+|login\w*|task|database)\s*\(/.test(content)) return 'CYPRESS';
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
  return /import\s+(?:org\.openqa\.selenium|io\.appium)|\.findElements?\s*\(|\.sendKeys\s*\(|\bWebDriver\b|@(?:Android|iOSXCUIT)?FindBy\b/.test(content);
}

function looksLikeSeleniumPython(content: string): boolean {
  return /\bfrom\s+(?:selenium|appium)\b|\bimport\s+(?:selenium|appium)\b|\.find_elements?(?:_by_\w+)?\s*\(|\.send_keys\s*\(/.test(content);
}
