/**
 * Ruby Capybara feature specs through tree-sitter's Ruby grammar: `fill_in 'Email', with: 'x'`
 * (the locator is a label, an id or a name; `fill_in with: 'x', id: 'y'` too), `select 'Bronze',
 * from: 'Level'`, `check 'Vegan'` / `uncheck`, `choose 'Yes'`, `attach_file 'Logo', path`, and
 * `find('#x').set('v')` / `find_field('x').set('v')`. Values resolve through string literals,
 * numbers, local variables, `let(:name) { 'x' }` and interpolated strings with literal parts; a
 * `Faker::…` call is a value the test makes up (no example). Each `scenario`/`it` block is one row of
 * example values; its title and the `feature`/`describe` titles are its context.
 */
import type { Node, Parser } from 'web-tree-sitter';
import type { CodeFacts, Interaction, Locator } from './code.ts';
import { assertParsed, loadGrammar, named } from './grammar-loader.ts';

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads the Ruby grammar once; later calls return the same promise. */
export function loadRubyGrammar(): Promise<void> {
  loading ??= loadGrammar('tree-sitter-ruby/tree-sitter-ruby.wasm')
    .then((p) => {
      parser = p;
    })
    .catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
  return loading;
}

const SUITES = new Set(['describe', 'feature', 'context', 'RSpec.describe', 'RSpec.feature']);
const TESTS = new Set(['it', 'scenario', 'specify', 'example']);
// A locator given as an option instead of the first argument (`fill_in with: 'x', id: 'member_name'`).
const LOCATOR_OPTIONS = ['id', 'name', 'label', 'placeholder', 'from'];

type Vars = Map<string, string>;

function text(node: Node | null | undefined, vars: Vars): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      let out = '';
      for (const c of named(node)) {
        if (c.type === 'string_content') out += c.text;
        else if (c.type === 'escape_sequence') out += c.text.slice(1);
        else if (c.type === 'interpolation') {
          const v = text(named(c)[0], vars);
          if (v === undefined) return undefined;
          out += v;
        }
      }
      return out;
    }
    case 'simple_symbol':
      return node.text.slice(1);
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
      return node.text;
    case 'identifier':
      return vars.get(node.text);
    case 'call':
      // `let(:email) { 'x' }` makes `email` a method call with no receiver.
      return node.childForFieldName('receiver') ? undefined : vars.get(node.childForFieldName('method')?.text ?? '');
    case 'parenthesized_statements':
      return text(named(node)[0], vars);
    default:
      return undefined;
  }
}

interface Args {
  positional: Node[];
  options: Map<string, Node>;
}

function argsOf(call: Node): Args {
  const positional: Node[] = [];
  const options = new Map<string, Node>();
  for (const a of named(call.childForFieldName('arguments'))) {
    if (a.type === 'pair') {
      const key = a.childForFieldName('key')?.text.replace(/^:|:$/g, '') ?? '';
      const value = a.childForFieldName('value');
      if (value) options.set(key, value);
    } else positional.push(a);
  }
  return { positional, options };
}

const locator = (t: string): Locator => (/^[#.[]|\/\//.test(t) ? { kind: 'css', text: t } : { kind: 'identifier', text: t });

/** What one walk over a spec finds, and the scenario it is inside. */
interface Walk {
  vars: Vars;
  titles: string[];
  row: string;
  interactions: Interaction[];
  clicks: Click[];
}

/** A call met in the walk: `receiver.method(positional, key: option)`, with its block. */
interface RubyCall {
  node: Node;
  method: string;
  receiver: Node | null;
  positional: Node[];
  options: Map<string, Node>;
}

/** Interactions of a Capybara spec. */
export function analyzeRuby(content: string, fileName?: string): CodeFacts {
  if (!parser) throw new Error('the Ruby grammar is not loaded: await loadTestCaseParsers() before analysing Ruby test cases');
  const tree = parser.parse(content.replace(/^\uFEFF/, ''));
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    assertParsed(root, 'Ruby', fileName);
    const walk: Walk = { vars: new Map(), titles: [], row: 'file', interactions: [], clicks: [] };
    visit(root, walk);
    walk.interactions.push(...choicesClicked(walk.clicks));
    return { interactions: walk.interactions, assertions: [] };
  } finally {
    tree.delete();
  }
}

function visit(node: Node, walk: Walk): void {
  const { vars } = walk;
  if (node.type === 'assignment') {
    const left = node.childForFieldName('left');
    const v = text(node.childForFieldName('right'), vars);
    if (left?.type === 'identifier' && v !== undefined) vars.set(left.text, v);
  }
  if (node.type === 'call') {
    const method = node.childForFieldName('method')?.text ?? '';
    const receiver = node.childForFieldName('receiver');
    const full = receiver ? `${receiver.text}.${method}` : method;
    const call: RubyCall = { node, method, receiver, ...argsOf(node) };
    const block = node.childForFieldName('block');
    if (block && (SUITES.has(full) || TESTS.has(method))) {
      visitSuiteOrTest(call, walk);
      return;
    }
    if (method === 'let' || method === 'let!') recordLet(call, block, vars);
    if (!receiver || receiver.text === 'page') recordCapybaraAction(call, walk);
    // `find_by_id('member_how_you_found_us_other').click`: a radio button or checkbox picked by its id.
    if (method === 'click' && receiver?.type === 'call' && !call.positional.length) recordClickById(node, receiver, walk);
    // `find('#email').set('x')`, `find_field('Email').set('x')`
    if (method === 'set' && receiver?.type === 'call') recordFinderSet(node, receiver, call.positional[0], walk);
  }
  for (const c of named(node)) visit(c, walk);
}

/** A `feature`/`describe` block titles what is inside; a `scenario`/`it` block is a row of its own. */
function visitSuiteOrTest({ node, method, positional }: RubyCall, walk: Walk): void {
  const title = text(positional[0], walk.vars) ?? positional[0]?.text ?? '';
  const saved = { titles: walk.titles, row: walk.row };
  walk.titles = [title, ...walk.titles];
  if (TESTS.has(method)) walk.row = `${title}@${node.startPosition.row + 1}`;
  for (const c of named(node)) visit(c, walk);
  walk.titles = saved.titles;
  walk.row = saved.row;
}

/** `let(:email) { 'x' }`: `email` holds the block's value. */
function recordLet({ positional }: RubyCall, block: Node | null, vars: Vars): void {
  const name = text(positional[0], vars);
  const body = block ? named(block).find((c) => c.type === 'block_body' || c.type === 'body_statement') : undefined;
  const v = text(body ? named(body)[0] : undefined, vars);
  if (name && v !== undefined) vars.set(name, v);
}

/** `fill_in`, `select … from:`, `check`/`uncheck`, `choose`, `attach_file` (on the page or without receiver). */
function recordCapybaraAction({ node, method, positional, options }: RubyCall, walk: Walk): void {
  const { vars } = walk;
  const optionTarget = () => {
    for (const k of LOCATOR_OPTIONS) {
      const v = text(options.get(k), vars);
      if (v) return v;
    }
    return undefined;
  };
  if (method === 'fill_in') recordInteraction(node, text(positional[0], vars) ?? optionTarget(), options.get('with'), 'fill', walk);
  else if (method === 'select' && options.has('from')) recordInteraction(node, text(options.get('from'), vars), positional[0], 'select', walk);
  else if ((method === 'check' || method === 'uncheck') && positional.length) recordInteraction(node, text(positional[0], vars), undefined, 'check', walk);
  else if (method === 'choose' && positional.length) recordInteraction(node, text(positional[0], vars), undefined, 'check', walk);
  else if (method === 'attach_file' && positional.length >= 1) recordInteraction(node, text(positional[0], vars), positional[1], 'fill', walk);
}

/** `find_by_id('x').click`, `find('#x').click`: a click on an element named by its id, kept for choicesClicked. */
function recordClickById(node: Node, receiver: Node, walk: Walk): void {
  const finder = receiver.childForFieldName('method')?.text ?? '';
  const target = /^(?:find|find_by_id)$/.test(finder) ? text(argsOf(receiver).positional[0], walk.vars) : undefined;
  const id = finder === 'find_by_id' ? target : /^(?:input)?#([\w-]+)$/.exec(target ?? '')?.[1];
  if (id) walk.clicks.push({ id, line: node.startPosition.row + 1, row: walk.row, titles: walk.titles });
}

/** `find('#email').set('x')`, `find_field('Email').set('x')`, `find_by_id('email').set('x')`. */
function recordFinderSet(node: Node, receiver: Node, value: Node | undefined, walk: Walk): void {
  const finder = receiver.childForFieldName('method')?.text ?? '';
  if (!/^(?:find|find_field|find_by_id)$/.test(finder)) return;
  const target = text(argsOf(receiver).positional[0], walk.vars);
  recordInteraction(node, target === undefined ? undefined : finder === 'find' ? target : target.replace(/^(?=[\w-]+$)/, ''), value, 'fill', walk);
}

function recordInteraction(node: Node, target: string | undefined, value: Node | undefined, action: Interaction['action'], walk: Walk): void {
  if (target === undefined || target === '') return;
  const v = text(value, walk.vars);
  walk.interactions.push({
    locators: [locator(target)],
    value: v,
    valueExpr: v === undefined && value ? value.text : undefined,
    action,
    line: node.startPosition.row + 1,
    row: walk.row,
    titles: walk.titles,
  });
}

interface Click {
  id: string;
  line: number;
  row: string;
  titles: string[];
}

// Ids of controls that act rather than hold a value.
const ACTION_ID = /(?:^|[_-])(?:btn|button|submit|link|tab|menu|nav|close|cancel|save|next|back|toggle)(?:$|[_-])/i;

/**
 * Rails names a radio button or checkbox `record_attribute_value` (`member_how_you_found_us_other`):
 * two ids clicked in one test that share at least two leading words and differ after them are
 * options of one field, the shared part. A lone click names nothing (it may be any element).
 */
function choicesClicked(clicks: readonly Click[]): Interaction[] {
  const out: Interaction[] = [];
  const words = (id: string) => id.split(/[_-]/).filter(Boolean);
  const byRow = new Map<string, Click[]>();
  for (const c of clicks) if (!ACTION_ID.test(c.id)) byRow.set(c.row, [...(byRow.get(c.row) ?? []), c]);
  for (const row of byRow.values()) {
    const groups = new Map<string, Click[]>();
    for (const c of row) {
      const mine = words(c.id);
      let best = 0;
      for (const other of row) {
        if (other === c) continue;
        const theirs = words(other.id);
        let n = 0;
        while (n < mine.length && n < theirs.length && mine[n] === theirs[n]) n++;
        if (n >= 2 && n < mine.length && n < theirs.length) best = Math.max(best, n);
      }
      if (best) {
        const field = mine.slice(0, best).join('_');
        groups.set(field, [...(groups.get(field) ?? []), c]);
      }
    }
    for (const [field, group] of groups) {
      const first = group[0] as Click;
      for (const c of group) {
        out.push({
          locators: [{ kind: 'identifier', text: field }],
          value: words(c.id).slice(field.split('_').length).join(' '),
          action: 'select',
          line: first.line,
          row: c.row,
          titles: c.titles,
        });
      }
    }
  }
  return out;
}
