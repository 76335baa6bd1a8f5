import { EntityCollector, entityFromContext, fieldNameFromIdentifier, fieldNameFromLabel, fieldNameFromSelector, snakeCase } from './fields.ts';
import type { FieldType, TestCaseEntity, TestCaseFormat } from './types.ts';

// A string literal of JS, Java or Python (escapes allowed; template literals may span lines).
const STR = String.raw`(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\`(?:[^\`\\]|\\.)*\`)`;
// Arguments of a chained call, one level of nested parentheses deep (`.find("input")`, `.eq(0)`).
const ARGS = String.raw`(?:[^()]|\([^()]*\))*`;

type SelectorKind = 'css' | 'identifier' | 'label' | 'role';

interface Interaction {
  kind: SelectorKind;
  selector: string;
  options?: string;
  value?: string;
  index: number;
  typeHint?: FieldType;
}

type Extractor = (content: string) => Interaction[];

const CYPRESS_KIND: Record<string, SelectorKind> = {
  get: 'css',
  getBySel: 'identifier',
  getBySelLike: 'identifier',
  getByTestId: 'identifier',
  findByTestId: 'identifier',
  findByLabelText: 'label',
  findByPlaceholderText: 'label',
  findByRole: 'role',
};

const PLAYWRIGHT_KIND: Record<string, SelectorKind> = {
  locator: 'css',
  getByLabel: 'label',
  getByPlaceholder: 'label',
  getByTestId: 'identifier',
  getByRole: 'role',
};

const SELENIUM_KIND: Record<string, SelectorKind | undefined> = {
  id: 'identifier',
  name: 'identifier',
  accessibilityid: 'identifier',
  accessibility_id: 'identifier',
  classname: 'identifier',
  class_name: 'identifier',
  cssselector: 'css',
  css_selector: 'css',
  css: 'css',
  xpath: 'css',
};

const EXTRACTORS: Partial<Record<TestCaseFormat, Extractor>> = {
  CYPRESS: (content) => {
    const re = new RegExp(
      String.raw`\bcy\s*\.\s*(?<cmd>${Object.keys(CYPRESS_KIND).join('|')})\(\s*(?<sel>${STR})(?<opts>${ARGS})\)(?:\s*\.\s*(?!type\b|select\b|check\b)\w+\(${ARGS}\))*\s*\.\s*(?<act>type|select|check)\(\s*(?<val>${STR}|[^),]*)`,
      'gd',
    );
    return [...content.matchAll(re)].map((m) => interaction(m, CYPRESS_KIND[m.groups?.cmd ?? 'get'] ?? 'css', m.groups?.act === 'check'));
  },
  PLAYWRIGHT: (content) => {
    const acts = 'fill|type|pressSequentially|selectOption|check|setChecked';
    const direct = new RegExp(String.raw`\b(?:page|frame|\w*[pP]age)\s*\.\s*(?<act>${acts})\(\s*(?<sel>${STR})\s*(?:,\s*(?<val>${STR}|[^),]*))?`, 'gd');
    const located = new RegExp(
      String.raw`\.\s*(?<cmd>${Object.keys(PLAYWRIGHT_KIND).join('|')})\(\s*(?<sel>${STR})(?<opts>${ARGS})\)(?:\s*\.\s*(?:first|last|nth|filter)\(${ARGS}\))*\s*\.\s*(?<act>${acts})\(\s*(?<val>${STR}|[^),]*)`,
      'gd',
    );
    const isCheck = (m: RegExpExecArray) => m.groups?.act === 'check' || m.groups?.act === 'setChecked';
    return [
      ...[...content.matchAll(direct)].map((m) => interaction(m, 'css', isCheck(m))),
      ...[...content.matchAll(located)].map((m) => interaction(m, PLAYWRIGHT_KIND[m.groups?.cmd ?? 'locator'] ?? 'css', isCheck(m))),
    ];
  },
  SELENIUM_JAVA: (content) => {
    const re = new RegExp(
      String.raw`\.\s*findElement\(\s*(?:By|AppiumBy|MobileBy)\s*\.\s*(?<how>\w+)\(\s*(?<sel>${STR})\s*\)\s*\)(?:\s*\.\s*clear\(\s*\))?\s*\.\s*sendKeys\(\s*(?<val>${STR}|[^),]*)`,
      'gd',
    );
    return seleniumInteractions(content, re);
  },
  SELENIUM_PYTHON: (content) => {
    const re = new RegExp(
      String.raw`\.\s*find_element(?:_by_(?<how2>\w+))?\(\s*(?:(?:By|AppiumBy)\s*\.\s*(?<how>\w+)\s*,\s*)?(?<sel>${STR})\s*\)(?:\s*\.\s*clear\(\s*\))?\s*\.\s*send_keys\(\s*(?<val>${STR}|[^),]*)`,
      'gd',
    );
    return seleniumInteractions(content, re);
  },
};

function seleniumInteractions(content: string, re: RegExp): Interaction[] {
  const out: Interaction[] = [];
  for (const m of content.matchAll(re)) {
    const how = (m.groups?.how ?? m.groups?.how2 ?? 'css_selector').toLowerCase();
    const kind = SELENIUM_KIND[how];
    if (kind) out.push(interaction(m, kind, false));
  }
  return out;
}

function interaction(m: RegExpExecArray, kind: SelectorKind, isCheck: boolean): Interaction {
  return {
    kind,
    selector: m.groups?.sel ?? '',
    options: m.groups?.opts,
    value: m.groups?.val,
    index: m.indices?.groups?.sel?.[0] ?? m.index,
    typeHint: isCheck ? 'boolean' : undefined,
  };
}

/** The text of a string literal; `undefined` for an expression or a template with substitutions. */
function literal(source: string | undefined): string | undefined {
  const s = source?.trim();
  if (!s || !/^["'`]/.test(s) || s[s.length - 1] !== s[0]) return undefined;
  if (s[0] === '`' && s.includes('${')) return undefined;
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

// Titles that give context: test and suite names, Python test functions, Java methods and classes.
const TITLE_RES = [
  new RegExp(String.raw`\b(?:describe|context|it|test|specify)(?:\.(?:only|skip|serial|describe))?\s*\(\s*(?<title>${STR})`, 'g'),
  /\bdef\s+(?<title>\w+)\s*\(/g,
  /\b(?:void|class)\s+(?<title>\w+)/g,
];

const GENERIC_NAMES = new Set(['', 'input', 'textarea', 'select', 'field', 'text', 'form']);

/**
 * Cypress, Playwright and Selenium (Java, Python) through regexes over the calls that type into a
 * field: `cy.get(sel).type(v)`, `page.fill(sel, v)`, `getByLabel('X').fill(v)`,
 * `findElement(By.id(..)).sendKeys(v)`, `find_element(By.ID, ..).send_keys(v)`. Field names come
 * from the selector or label; the entity from the selector and the surrounding test titles.
 */
export function analyzeCode(format: TestCaseFormat, content: string, fileName?: string): TestCaseEntity[] {
  const extract = EXTRACTORS[format];
  if (!extract) return [];
  const lineStarts = [0];
  for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineAt = (index: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const titles = TITLE_RES.flatMap((re) =>
    [...content.matchAll(re)].map((m) => ({ index: m.index, title: literal(m.groups?.title) ?? m.groups?.title ?? '' })),
  ).sort((a, b) => a.index - b.index);
  const stem = fileName
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/(?:\.(?:spec|test|cy|e2e))?\.\w+$/i, '');
  const defaultEntity = entityFromContext([stem]) ?? (snakeCase(stem ?? '') || 'record');
  const collector = new EntityCollector();

  for (const it of extract(content).sort((a, b) => a.index - b.index)) {
    const selector = literal(it.selector);
    if (selector === undefined) continue;
    const label = it.kind === 'role' ? literal(/\bname\s*:\s*(["'`][^"'`]*["'`])/.exec(it.options ?? '')?.[1]) : selector;
    if (label === undefined) continue;
    let name: string;
    if (it.kind === 'css') name = fieldNameFromSelector(label);
    else if (it.kind === 'identifier' && !/\s/.test(label.trim())) name = fieldNameFromIdentifier(label);
    else name = fieldNameFromLabel(label).name;
    const raw = literal(it.value);
    const value = format === 'CYPRESS' ? raw?.replace(/\{(?:[a-z]+|\{)\}/gi, '') : raw;
    if (GENERIC_NAMES.has(name) && raw === undefined && it.value) {
      // `cy.get('input').type(user.firstName)`: the expression names the field better than the selector.
      name = fieldNameFromIdentifier(it.value.trim().split('.').pop() ?? '');
    }
    if (!name || GENERIC_NAMES.has(name)) continue;
    const nearby = titles
      .filter((t) => t.index < it.index)
      .slice(-3)
      .reverse()
      .map((t) => t.title.replace(/_/g, ' '));
    const entity = entityFromContext([label, ...nearby]) ?? defaultEntity;
    collector.add({ entity, name, line: lineAt(it.index), value: value?.trim() || undefined, typeHint: it.typeHint });
  }
  return collector.result();
}
