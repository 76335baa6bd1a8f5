import { entitiesFromCode } from './code.ts';
import { detectFormat } from './detect.ts';
import type { TestCaseAnalysis, TestCaseEntity, TestCaseFormat } from './types.ts';

export { detectFormat } from './detect.ts';

/** A test case as the caller has it: its text and, when known, its file name. */
export interface TestCaseSource {
  content: string;
  /** Helps recognise the format (`.feature`, `.cy.ts`, `.java`, `.py`, `.cs`, `.rb`, `.robot`). */
  fileName?: string;
}

interface Parsers {
  analyzeGherkin: typeof import('./gherkin.ts').analyzeGherkin;
  analyzeJs: typeof import('./js.ts').analyzeJs;
  analyzeSeleniumJava: typeof import('./selenium-java.ts').analyzeSeleniumJava;
  analyzeSeleniumPython: typeof import('./selenium-python.ts').analyzeSeleniumPython;
  analyzeCsharp: typeof import('./csharp.ts').analyzeCsharp;
  analyzeRuby: typeof import('./ruby.ts').analyzeRuby;
  analyzeRobot: typeof import('./robot.ts').analyzeRobot;
}
let parsers: Parsers | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the parsers once per process: Cucumber's, Babel's, java-parser and tree-sitter's Python, C#
 * and Ruby grammars (WebAssembly modules, which cannot load synchronously). They weigh tens of
 * megabytes, so a process that never reads a test case never loads them. Await it before
 * `analyzeTestCase`; calling it again is free.
 */
export function loadTestCaseParsers(): Promise<void> {
  loading ??= (async () => {
    const [gherkin, js, java, python, csharp, ruby, robot] = await Promise.all([
      import('./gherkin.ts'),
      import('./js.ts'),
      import('./selenium-java.ts'),
      import('./selenium-python.ts'),
      import('./csharp.ts'),
      import('./ruby.ts'),
      import('./robot.ts'),
    ]);
    await Promise.all([python.loadPythonGrammar(), csharp.loadCsharpGrammar(), ruby.loadRubyGrammar()]);
    parsers = {
      analyzeGherkin: gherkin.analyzeGherkin,
      analyzeJs: js.analyzeJs,
      analyzeSeleniumJava: java.analyzeSeleniumJava,
      analyzeSeleniumPython: python.analyzeSeleniumPython,
      analyzeCsharp: csharp.analyzeCsharp,
      analyzeRuby: ruby.analyzeRuby,
      analyzeRobot: robot.analyzeRobot,
    };
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** Past this size a text is not a test case a person wrote; it is refused with a reason, not parsed. */
export const MAX_TEST_CASE_CHARS = 1_000_000;

const CODE_LANGUAGE: Partial<Record<TestCaseFormat, string>> = {
  CYPRESS: 'javascript',
  PLAYWRIGHT: 'javascript',
  WEBDRIVERIO: 'javascript',
  TESTCAFE: 'javascript',
  NIGHTWATCH: 'javascript',
  PLAYWRIGHT_PYTHON: 'python',
  SELENIUM_PYTHON: 'python',
  PLAYWRIGHT_JAVA: 'java',
  SELENIUM_JAVA: 'java',
  PLAYWRIGHT_DOTNET: 'csharp',
  SELENIUM_CSHARP: 'csharp',
  CAPYBARA: 'ruby',
  ROBOT: 'robot',
};

/**
 * Reads a test case and reports its format and the entities and fields it fills in, with a type,
 * constraints, example values, example rows, the line (and its text) each field first appears on
 * and a confidence; whether the test needs synthetic data, and why nothing was found when nothing
 * was. Each format goes through a real parser: Gherkin through Cucumber's pickles, JavaScript and
 * TypeScript (Cypress, Playwright, WebdriverIO, TestCafe, Nightwatch) through Babel's, Java through
 * java-parser, Python, C# and Ruby through tree-sitter, Robot Framework through its own table
 * syntax. Malformed input throws `InvalidInputError` with its line; binary or oversized input and
 * unknown formats give an empty analysis with a reason. Synchronous, once `await
 * loadTestCaseParsers()` has resolved.
 */
export function analyzeTestCase({ content, fileName }: TestCaseSource): TestCaseAnalysis {
  if (!parsers) throw new Error('the test-case parsers are not loaded: await loadTestCaseParsers() first');
  if (content.length > MAX_TEST_CASE_CHARS) {
    return empty('UNKNOWN', `the text is ${content.length} characters long; a test case is read up to ${MAX_TEST_CASE_CHARS}`);
  }
  if (looksBinary(content)) return empty('UNKNOWN', 'the content is binary, not text');
  const format = detectFormat(content, fileName);
  const p = parsers;
  const code = (facts: Parameters<typeof entitiesFromCode>[0]) => entitiesFromCode(facts, fileName);
  let entities: TestCaseEntity[];
  let language = CODE_LANGUAGE[format];
  let reason: string | undefined;
  switch (format) {
    case 'GHERKIN': {
      const g = p.analyzeGherkin(content, fileName);
      ({ entities, language, reason } = g);
      break;
    }
    case 'CYPRESS':
    case 'PLAYWRIGHT':
    case 'WEBDRIVERIO':
    case 'TESTCAFE':
    case 'NIGHTWATCH':
      entities = code(p.analyzeJs(content, fileName));
      break;
    case 'SELENIUM_JAVA':
    case 'PLAYWRIGHT_JAVA':
      entities = code(p.analyzeSeleniumJava(content, fileName));
      break;
    case 'SELENIUM_PYTHON':
    case 'PLAYWRIGHT_PYTHON':
      entities = code(p.analyzeSeleniumPython(content, fileName));
      break;
    case 'SELENIUM_CSHARP':
    case 'PLAYWRIGHT_DOTNET':
      entities = code(p.analyzeCsharp(content, fileName));
      break;
    case 'CAPYBARA':
      entities = code(p.analyzeRuby(content, fileName));
      break;
    case 'ROBOT':
      entities = code(p.analyzeRobot(content, fileName));
      break;
    default:
      return empty('UNKNOWN', 'the format is not recognised: no Gherkin keywords and no UI-test calls of a known framework');
  }
  if (!entities.length) reason ??= 'no step or call fills in a form field';
  const lines = content.split('\n');
  for (const e of entities) {
    for (const f of e.fields) {
      const text = lines[f.source.line - 1]?.trim();
      if (text) f.source = { ...f.source, text: text.slice(0, 240) };
    }
  }
  return { format, entities, language, needsSyntheticData: entities.some((e) => e.fields.length > 0), ...(reason ? { reason } : {}) };
}

function empty(format: TestCaseFormat, reason: string): TestCaseAnalysis {
  return { format, entities: [], needsSyntheticData: false, reason };
}

// NUL bytes, or many control characters in the first 8 KB: a binary file (an image, an archive).
function looksBinary(content: string): boolean {
  const head = content.slice(0, 8192);
  if (head.includes('\u0000')) return true;
  let controls = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if ((c > 0 && c < 9) || (c > 13 && c < 32) || c === 0xfffd) controls++;
  }
  return head.length > 0 && controls / head.length > 0.1;
}
