/**
 * Robot Framework suites through their own table syntax: sections (`*** Test Cases ***`, `*** Tasks
 * ***`, `*** Keywords ***`, `*** Variables ***`), cells separated by two or more spaces, a tab or
 * ` | `, `...` continuation lines, `#` comments. The keywords of SeleniumLibrary (`Input Text`,
 * `Input Password`, `Select From List By Label/Value`, `Select Checkbox`, `Select Radio Button`,
 * `Choose File`) and Browser (`Fill Text`, `Fill Secret`, `Type Text`, `Select Options By`, `Check
 * Checkbox`, `Upload File By Selector`) are the interactions; so is a user keyword whose name starts
 * with a fill verb and which is called with a locator and a value (`Set Value By XPath  //input[…]
 * ${person}[Email]`). Variables from the Variables section and `Set Variable` resolve; a value such as
 * `${customer}[Company Name]` names its field. Each test or task is one row of example values.
 */
import type { CodeFacts, Interaction, Locator } from './code.ts';

interface Cell {
  text: string;
  line: number;
}

interface Row {
  cells: Cell[];
  line: number;
  /** The row was indented: a step of the test or keyword above, not a new test. */
  indented: boolean;
}

const SPLIT = /\t+| {2,}|\s+\|\s+/;

function rowsOf(content: string): { section: string; row: Row }[] {
  const out: { section: string; row: Row }[] = [];
  let section = '';
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const header = /^\*+\s*([A-Za-z ]+?)\s*\**\s*$/.exec(raw.trim());
    if (header && raw.trim().startsWith('*')) {
      section = (header[1] as string).toLowerCase().replace(/s$/, '');
      return;
    }
    const text = raw.replace(/^\|\s*/, '').replace(/(?:^|\s{2,})#.*$/, '');
    if (!text.trim()) return;
    const indented = /^\s/.test(raw) || raw.startsWith('|  ');
    const cells = text
      .trim()
      .split(SPLIT)
      .map((t) => ({ text: t.trim(), line }))
      .filter((c) => c.text !== '' && c.text !== '|');
    const prev = out[out.length - 1];
    if (cells[0]?.text === '...' && prev) {
      prev.row.cells.push(...cells.slice(1));
      return;
    }
    out.push({ section, row: { cells, line, indented } });
  });
  return out;
}

type Action = Interaction['action'];

// Library keywords: the index of the locator cell and of the value cell(s), by normalised name.
const KEYWORDS: Record<string, { action: Action; value?: number; values?: number }> = {
  inputtext: { action: 'fill', value: 1 },
  inputpassword: { action: 'fill', value: 1 },
  filltext: { action: 'fill', value: 1 },
  fillsecret: { action: 'fill', value: 1 },
  typetext: { action: 'fill', value: 1 },
  typesecret: { action: 'fill', value: 1 },
  selectfromlistbylabel: { action: 'select', values: 1 },
  selectfromlistbyvalue: { action: 'select', values: 1 },
  selectfromlistbyindex: { action: 'select' },
  selectallfromlist: { action: 'select' },
  selectoptionsby: { action: 'select', values: 2 },
  selectcheckbox: { action: 'check' },
  checkcheckbox: { action: 'check' },
  unselectcheckbox: { action: 'check' },
  uncheckcheckbox: { action: 'check' },
  selectradiobutton: { action: 'select', value: 1 },
  choosefile: { action: 'fill', value: 1 },
  uploadfilebyselector: { action: 'fill', value: 1 },
};
const FILL_VERB = /^(?:set|fill|enter|type|input|put|write|select|choose)\b/i;

const norm = (keyword: string) =>
  keyword
    .replace(/^[\w.]+\.(?=[A-Z])/, '')
    .toLowerCase()
    .replace(/[\s_]/g, '');

/** A Robot locator (`id:email`, `css=#zip`, `//input[@name="x"]`, `name:first`, a bare id or name). */
function locatorOf(text: string): Locator {
  const strategy = /^(id|name|css|xpath|identifier|class|link|partial link|dom|tag|data|text)\s*[:=]\s*(.+)$/i.exec(text);
  if (strategy) {
    const kind = (strategy[1] as string).toLowerCase();
    const rest = strategy[2] as string;
    if (kind === 'css' || kind === 'xpath' || kind === 'dom' || kind === 'tag') return { kind: 'css', text: rest };
    if (kind === 'text' || kind === 'link' || kind === 'partial link') return { kind: 'label', text: rest };
    return { kind: 'identifier', text: rest };
  }
  if (/^(?:\/\/|\(\/\/)|^[#.[]|[>[\]=]/.test(text)) return { kind: 'css', text };
  return { kind: 'identifier', text };
}

/** Interactions of a Robot Framework suite. */
export function analyzeRobot(content: string, _fileName?: string): CodeFacts {
  const rows = rowsOf(content);
  const vars = new Map<string, string>();
  for (const { section, row } of rows) {
    const [name, ...values] = row.cells;
    const m = name ? /^[$@&]\{([^}]+)\}\s*=?$/.exec(name.text) : null;
    if (section === 'variable' && m && values.length === 1) vars.set((m[1] as string).toLowerCase(), values[0]?.text as string);
  }
  const resolve = (text: string): { value?: string; expr?: string } => {
    let unresolved = false;
    const out = text
      .replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
        const v = vars.get(name.toLowerCase());
        if (v === undefined) unresolved = true;
        return v ?? whole;
      })
      .replace(/\\(.)/g, '$1');
    return unresolved ? { expr: text } : { value: out };
  };

  // User keywords that type a value into a locator they are given.
  const fillKeywords = new Map<string, Action>();
  let current: { name: string; raw: string; args: string[] } | undefined;
  for (const { section, row } of rows) {
    if (section !== 'keyword') continue;
    if (!row.indented) {
      current = { name: norm(row.cells[0]?.text ?? ''), raw: row.cells[0]?.text ?? '', args: [] };
      continue;
    }
    if (current && /^\[arguments\]$/i.test(row.cells[0]?.text ?? '')) current.args = row.cells.slice(1).map((c) => c.text);
    if (current && FILL_VERB.test(current.raw) && current.args.length >= 2 && !(current.name in KEYWORDS)) {
      fillKeywords.set(current.name, /^(?:select|choose)\b/i.test(current.raw) ? 'select' : 'fill');
    }
  }

  const interactions: Interaction[] = [];
  let test = '';
  let testLine = 0;
  for (const { section, row } of rows) {
    if (section !== 'test case' && section !== 'task' && section !== 'keyword') continue;
    if (!row.indented) {
      test = row.cells[0]?.text ?? '';
      testLine = row.line;
      continue;
    }
    let cells = row.cells;
    // `${x}=    Set Variable    value`, `${x}=    Keyword    args`: the keyword is after the assignment.
    const assigned = cells[0] && /^[$@&]\{([^}]+)\}\s*=?$/.exec(cells[0].text);
    if (assigned) {
      if (norm(cells[1]?.text ?? '') === 'setvariable' && cells.length === 3) vars.set((assigned[1] as string).toLowerCase(), cells[2]?.text as string);
      cells = cells.slice(1);
    }
    // Control structures carry keywords inside them (`IF  cond  Keyword  args` is rare; FOR lines are not keywords).
    const keyword = norm(cells[0]?.text ?? '');
    const own = fillKeywords.get(keyword);
    const spec = KEYWORDS[keyword] ?? (own ? { action: own, value: 1 } : undefined);
    if (!spec) continue;
    const args = cells.slice(1).filter((c) => !/^\w+=/.test(c.text) || /^(?:css|xpath|id|name|text|data)=/i.test(c.text));
    const target = args[0];
    // `${list_id}` inside a keyword: the caller's locator, not one of its own.
    if (!target || /^[$@&]\{[^}]+\}$/.test(target.text)) continue;
    const titles = [test.toLowerCase()];
    const base = { locators: [locatorOf(target.text)], action: spec.action, line: row.line, row: `${test}@${testLine}`, titles };
    const valueCells = spec.values !== undefined ? args.slice(spec.values) : spec.value !== undefined ? args.slice(spec.value, spec.value + 1) : [];
    if (valueCells.length === 0) interactions.push({ ...base });
    for (const cell of valueCells) {
      const { value, expr } = resolve(cell.text);
      // `${customer}[Company Name]`, `${person}[Email]`: the item's key names the datum.
      interactions.push({ ...base, value, valueExpr: expr?.replace(/^\$\{\w+\}\[([^\]]+)\]$/, '$1') });
    }
  }
  return { interactions, assertions: [] };
}
