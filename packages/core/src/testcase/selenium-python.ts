/**
 * Selenium and Appium tests in Python through tree-sitter (`web-tree-sitter` with the bundled
 * `tree-sitter-python.wasm`, no native build): `find_element(By.ID, sel).send_keys(v)`, the older
 * `find_element_by_id(sel)`, `AppiumBy.ACCESSIBILITY_ID`, locator tuples kept in constants or page
 * objects (`EMAIL = (By.ID, "email")` then `find_element(*EMAIL)`), values in variables and f-strings
 * with literal parts, and `Select(el).select_by_visible_text(v)`. Each test function is one row of
 * example values. The grammar loads once, asynchronously: `loadPythonGrammar()` must have resolved
 * before `analyzeSeleniumPython` runs.
 */
import type { Node, Parser } from 'web-tree-sitter';
import { InvalidInputError } from '../errors.ts';
import type { CodeFacts, Interaction } from './code.ts';
import { loadGrammar } from './grammar-loader.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';
import { argsOf, evaluate, locatorsOf, type Scope, type Value } from './python-values.ts';
import { PLAYWRIGHT_ACTIONS, PLAYWRIGHT_LOCATORS, SELECT_ACTIONS, TICKABLE } from './python-vocab.ts';

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Initialises tree-sitter and the Python grammar once; later calls return the same promise. */
export function loadPythonGrammar(): Promise<void> {
  loading ??= (async () => {
    parser = await loadGrammar('tree-sitter-python/tree-sitter-python.wasm');
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** Whether `loadPythonGrammar()` has completed. */
export function pythonGrammarLoaded(): boolean {
  return parser !== undefined;
}

/** What one walk over a test module finds, and the test it is inside. */
interface Walk {
  scope: Scope;
  titles: string[];
  row: string;
  interactions: Interaction[];
  // Page-object calls, and the class of each variable made from one (`login = LoginPage(driver)`).
  pageCalls: PageCall[];
  types: Map<string, string>;
}

/** Interactions of a Selenium or Appium Python test module. */
export function analyzeSeleniumPython(content: string, fileName?: string): CodeFacts {
  if (!parser) throw new Error('the Python grammar is not loaded: await loadTestCaseParsers() before analysing Python test cases');
  const tree = parser.parse(content);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    assertWellFormed(root, fileName);
    const walk: Walk = { scope: moduleConstants(root), titles: [], row: 'module', interactions: [], pageCalls: [], types: new Map() };
    visit(root, walk);
    walk.interactions.push(...pageCallInteractions(walk.pageCalls));
    return { interactions: walk.interactions, assertions: [] };
  } finally {
    tree.delete();
  }
}

/** Throws `InvalidInputError` at the first syntax error of the module. */
function assertWellFormed(root: Node, fileName: string | undefined): void {
  if (!root.hasError) return;
  const bad = root.descendantsOfType('ERROR')[0] ?? findMissing(root);
  const line = (bad?.startPosition.row ?? 0) + 1;
  throw new InvalidInputError(
    `malformed Python${fileName ? ` in ${fileName}` : ''} at line ${line}: unexpected ${JSON.stringify(bad?.text.slice(0, 40) ?? '')}`,
    {
      line,
      column: (bad?.startPosition.column ?? 0) + 1,
      fileName,
    },
  );
}

/** Module constants and class attributes first: tests use them wherever they are declared. */
function moduleConstants(root: Node): Scope {
  const scope: Scope = { vars: new Map(), globals: new Map() };
  for (const a of root.descendantsOfType('assignment')) {
    if (!a || insideFunction(a)) continue;
    const left = a.childForFieldName('left');
    const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
    const v = evaluate(a.childForFieldName('right'), scope);
    if (name && v) scope.globals.set(name, v);
  }
  return scope;
}

/** The variable a page object is kept in: `login_page`, `self.login_page`. */
function nameOf(n: Node | null | undefined): string | undefined {
  return n?.type === 'identifier'
    ? n.text
    : n?.type === 'attribute' && n.childForFieldName('object')?.text === 'self'
      ? n.childForFieldName('attribute')?.text
      : undefined;
}

function visit(node: Node, walk: Walk): void {
  if (node.type === 'function_definition' || node.type === 'class_definition') {
    visitDefinition(node, walk);
    return;
  }
  if (node.type === 'assignment') recordAssignment(node, walk);
  if (node.type === 'call') recordCall(node, walk);
  for (const c of node.namedChildren) if (c) visit(c, walk);
}

/** A class or function: its name titles what is inside; a function is a row, with its parameters' defaults in scope. */
function visitDefinition(node: Node, walk: Walk): void {
  const { scope } = walk;
  const name = node.childForFieldName('name')?.text ?? '';
  const saved = { titles: walk.titles, row: walk.row, vars: scope.vars };
  walk.titles = [name.replace(/^test_?/, '').replace(/_/g, ' '), ...walk.titles];
  if (node.type === 'function_definition') {
    walk.row = `${name}@${node.startPosition.row + 1}`;
    scope.vars = new Map(scope.vars);
    // `def sign_up(page, email="ann@x.io")`: a default is the value when the caller gives none.
    for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p?.type !== 'default_parameter' && p?.type !== 'typed_default_parameter') continue;
      const v = evaluate(p.childForFieldName('value'), scope);
      const pname = p.childForFieldName('name')?.text;
      if (pname && v) scope.vars.set(pname, v);
    }
  }
  for (const c of node.namedChildren) if (c) visit(c, walk);
  walk.titles = saved.titles;
  walk.row = saved.row;
  scope.vars = saved.vars;
}

/** `email = "ann@x.io"`, `self.EMAIL = (By.ID, "email")`, `login = LoginPage(driver)`. */
function recordAssignment(node: Node, { scope, types }: Walk): void {
  const left = node.childForFieldName('left');
  const v = evaluate(node.childForFieldName('right'), scope);
  if (left?.type === 'identifier' && v) scope.vars.set(left.text, v);
  if (left?.type === 'attribute' && v) scope.globals.set(left.childForFieldName('attribute')?.text ?? '', v);
  const right = node.childForFieldName('right');
  const cls = right?.type === 'call' ? right.childForFieldName('function') : undefined;
  const target = nameOf(left);
  if (target && cls?.type === 'identifier' && /^[A-Z]/.test(cls.text)) types.set(target, cls.text);
}

/** What a call types, ticks or selects, or hands to a page object. */
function recordCall(node: Node, walk: Walk): void {
  const fn = node.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (method) recordPageCall(node, method, walk);
  if (method && method in PLAYWRIGHT_ACTIONS) recordPlaywrightAction(node, method, walk);
  if (method === 'click' && argsOf(node).length === 0) recordTickingClick(node, walk);
  if (method && (method === 'send_keys' || SELECT_ACTIONS.has(method))) recordKeysOrSelect(node, method, walk);
}

/** `login_page.login("ann", "s3cret")`, `self.signup.register(user.email, user.password)`: a page object's form method. */
function recordPageCall(node: Node, method: string, walk: Walk): void {
  const receiver = nameOf(node.childForFieldName('function')?.childForFieldName('object'));
  if (!receiver || method in PLAYWRIGHT_ACTIONS || method in PLAYWRIGHT_LOCATORS || method === 'send_keys') return;
  walk.pageCalls.push({
    receiver,
    receiverType: walk.types.get(receiver),
    method,
    args: argsOf(node).map((arg) => pageCallArg(arg, walk.scope)),
    line: node.startPosition.row + 1,
    row: walk.row,
    titles: walk.titles,
  });
}

/** One argument of a page-object call; `register(email="a@b.io", password=pw)`: a keyword names its argument. */
function pageCallArg(arg: Node, scope: Scope): PageCall['args'][number] {
  const keyword = arg.type === 'keyword_argument' ? arg.childForFieldName('name')?.text : undefined;
  const a = (keyword ? arg.childForFieldName('value') : arg) ?? arg;
  const v = evaluate(a, scope);
  const name = keyword ?? (a.type === 'identifier' ? a.text : a.type === 'attribute' ? a.childForFieldName('attribute')?.text : undefined);
  return { name, value: v?.kind === 'string' ? v.value : undefined, expr: a.text, fields: a.type === 'dictionary' ? dictionaryFields(a, scope) : undefined };
}

/** `fill_form({"email": "a@b.io"})`: each key of a dict written in the call is a field. */
function dictionaryFields(dict: Node, scope: Scope): { name: string; value?: string; expr: string }[] {
  return dict.namedChildren
    .filter((p): p is Node => p?.type === 'pair')
    .map((p) => {
      const key = evaluate(p.childForFieldName('key'), scope);
      const value = evaluate(p.childForFieldName('value'), scope);
      return {
        name: key?.kind === 'string' ? key.value : '',
        value: value?.kind === 'string' ? value.value : undefined,
        expr: p.childForFieldName('value')?.text ?? '',
      };
    })
    .filter((f) => f.name);
}

/** `page.get_by_label("Email").fill(v)`, `page.fill("#email", v)` (Playwright for Python). */
function recordPlaywrightAction(node: Node, method: string, { scope, interactions, row, titles }: Walk): void {
  const target = node.childForFieldName('function')?.childForFieldName('object');
  const args = argsOf(node).filter((a) => a.type !== 'keyword_argument');
  let locators = locatorsOf(target, scope);
  let valueNode = args[0];
  // `page.fill("#email", value)`: the selector is the first argument.
  const first = evaluate(args[0], scope);
  if (!locators.length && args.length >= (method === 'check' ? 1 : 2) && first?.kind === 'string') {
    locators = [{ kind: 'css', text: first.value.replace(/^(?:id|css|xpath|data-testid)=/, (m) => (m === 'id=' ? '#' : '')) }];
    valueNode = args[1];
  }
  if (!locators.length) return;
  const v = evaluate(valueNode, scope);
  interactions.push({
    locators,
    value: v?.kind === 'string' ? v.value : undefined,
    // A variable's name names the field when the locator does not (`get_by_placeholder("****").fill(password)`).
    valueExpr: valueNode && (!v || valueNode.type === 'identifier') ? valueNode.text : undefined,
    action: PLAYWRIGHT_ACTIONS[method] as Interaction['action'],
    line: node.startPosition.row + 1,
    row,
    titles,
  });
}

/** `find_element(By.ID, "exampleCheck1").click()`: clicking a checkbox, radio or switch ticks it. */
function recordTickingClick(node: Node, { scope, interactions, row, titles }: Walk): void {
  const locators = locatorsOf(node.childForFieldName('function')?.childForFieldName('object'), scope);
  if (locators.some((l) => TICKABLE.test(l.text))) interactions.push({ locators, action: 'check', line: node.startPosition.row + 1, row, titles });
}

/** `find_element(...).send_keys(v)`, `Select(el).select_by_visible_text(v)` (Selenium, Appium). */
function recordKeysOrSelect(node: Node, method: string, { scope, interactions, row, titles }: Walk): void {
  const target = node.childForFieldName('function')?.childForFieldName('object');
  const locators = locatorsOf(target, scope);
  if (!locators.length) return;
  const args = argsOf(node);
  const [arg] = args;
  const v = evaluate(arg, scope);
  // `send_keys("Some", Keys.ENTER, "Text")`: the strings typed, an Enter between them a line break.
  const typed = v?.kind === 'string' ? args.map((a) => (/^Keys\.(?:ENTER|RETURN)$/.test(a.text) ? '\n' : keysText(evaluate(a, scope)))).join('') : undefined;
  interactions.push({
    locators,
    // `select_by_index(2)`: a position, not a value of the field.
    value: method === 'select_by_index' ? undefined : typed,
    valueExpr: v || method === 'select_by_index' ? undefined : arg?.text,
    action: method === 'send_keys' ? 'fill' : 'select',
    line: (target?.startPosition.row ?? node.startPosition.row) + 1,
    row,
    titles,
  });
}

const keysText = (v: Value | undefined) => (v?.kind === 'string' ? v.value : '');

function insideFunction(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return true;
  return false;
}

function findMissing(node: Node): Node | undefined {
  if (node.isMissing) return node;
  for (const c of node.namedChildren) {
    const m = c?.hasError ? findMissing(c) : undefined;
    if (m) return m;
  }
  return undefined;
}
