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
import type { CodeFacts, Interaction, Locator, LocatorKind } from './code.ts';
import { loadGrammar } from './grammar-loader.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';
import { BY_KIND, FIELD_ROLES, PASS_THROUGH, PLAYWRIGHT_ACTIONS, PLAYWRIGHT_LOCATORS, SELECT_ACTIONS, TICKABLE } from './python-vocab.ts';

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

type Value = { kind: 'string'; value: string } | { kind: 'locators'; locators: Locator[] };

interface Scope {
  vars: Map<string, Value>;
  /** Module constants and class attributes (`self.EMAIL`, `LoginPage.EMAIL`). */
  globals: Map<string, Value>;
}

function unquote(node: Node, scope: Scope): string | undefined {
  let out = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') out += c.text.replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', t: '\t' })[ch] ?? ch);
    else if (c.type === 'escape_sequence') out += JSON.parse(`"${c.text.replace(/"/g, '\\"')}"`) as string;
    else if (c.type === 'interpolation') {
      const v = evaluate(c.childForFieldName('expression') ?? undefined, scope);
      if (v?.kind !== 'string') return undefined;
      out += v.value;
    }
  }
  return out;
}

function evaluate(node: Node | undefined | null, scope: Scope): Value | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      const value = unquote(node, scope);
      return value === undefined ? undefined : { kind: 'string', value };
    }
    case 'concatenated_string': {
      let out = '';
      for (const c of node.namedChildren) {
        const v = c ? evaluate(c, scope) : undefined;
        if (v?.kind !== 'string') return undefined;
        out += v.value;
      }
      return { kind: 'string', value: out };
    }
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
      return { kind: 'string', value: node.text };
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '+') return undefined;
      const l = evaluate(node.childForFieldName('left'), scope);
      const r = evaluate(node.childForFieldName('right'), scope);
      return l?.kind === 'string' && r?.kind === 'string' ? { kind: 'string', value: l.value + r.value } : undefined;
    }
    case 'parenthesized_expression':
      return evaluate(node.namedChildren[0], scope);
    case 'identifier':
      return scope.vars.get(node.text) ?? scope.globals.get(node.text);
    case 'attribute': {
      // `By.ID` stays a name; `self.EMAIL`, `LoginPage.EMAIL` are constants.
      const attr = node.childForFieldName('attribute')?.text ?? '';
      return scope.globals.get(attr);
    }
    case 'tuple': {
      const [how, sel] = node.namedChildren;
      const locator = how && sel ? byLocator(how, sel, scope) : undefined;
      return locator ? { kind: 'locators', locators: [locator] } : undefined;
    }
    case 'call': {
      const locators = locatorsOf(node, scope);
      return locators.length ? { kind: 'locators', locators } : undefined;
    }
    default:
      return undefined;
  }
}

/** `(By.ID, "email")` → an identifier locator. */
function byLocator(how: Node, selector: Node, scope: Scope): Locator | undefined {
  // `find_element(by, "name_input")` with the strategy in a variable or parameter: the selector alone decides.
  if (how.type === 'identifier' && !scope.vars.has(how.text) && !scope.globals.has(how.text)) {
    const text = evaluate(selector, scope);
    if (text?.kind !== 'string') return undefined;
    return /^[#.[/]|[\s>=[]/.test(text.value) ? { kind: 'css', text: text.value } : { kind: 'identifier', text: text.value };
  }
  if (how.type !== 'attribute') return undefined;
  const kind = BY_KIND[(how.childForFieldName('attribute')?.text ?? '').toLowerCase()];
  const text = evaluate(selector, scope);
  return kind && text?.kind === 'string' ? { kind, text: text.value } : undefined;
}

function argsOf(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
}

/** The locators a call chain points at (`driver.find_element(By.ID, "x")`, `Select(el)`, a known element). */
function locatorsOf(start: Node | null | undefined, scope: Scope): Locator[] {
  let node = start;
  const out: Locator[] = [];
  while (node) {
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const args = argsOf(node);
      const method = fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : (fn?.text ?? '');
      if (method === 'find_element' || method === 'Select') {
        const [first, second] = args;
        if (first?.type === 'list_splat') {
          const v = evaluate(first.namedChildren[0], scope);
          return v?.kind === 'locators' ? v.locators : [];
        }
        if (first && second) {
          const locator = byLocator(first, second, scope);
          return locator ? [locator] : [];
        }
        const v = evaluate(first, scope);
        return v?.kind === 'locators' ? v.locators : [];
      }
      if (method in PLAYWRIGHT_LOCATORS && fn?.type === 'attribute') {
        const [first] = args;
        const text = first?.type === 'keyword_argument' ? undefined : evaluate(first, scope);
        if (method === 'get_by_role') {
          const name = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'name');
          const label = evaluate(name?.childForFieldName('value'), scope);
          if (text?.kind !== 'string' || !FIELD_ROLES.test(text.value)) return [];
          if (label?.kind === 'string') out.push({ kind: 'label', text: label.value });
        } else if (text?.kind === 'string') out.push({ kind: PLAYWRIGHT_LOCATORS[method] as LocatorKind, text: text.value });
        node = fn.childForFieldName('object');
        continue;
      }
      const legacy = /^find_element_by_(\w+)$/.exec(method);
      if (legacy) {
        const text = evaluate(args[0], scope);
        const kind = BY_KIND[legacy[1] as string] ?? 'css';
        return text?.kind === 'string' ? [{ kind, text: text.value }] : [];
      }
      if (!PASS_THROUGH.has(method)) return out;
      node = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      continue;
    }
    const v = evaluate(node, scope);
    return v?.kind === 'locators' ? [...out, ...v.locators] : out;
  }
  return out;
}

/** Interactions of a Selenium or Appium Python test module. */
export function analyzeSeleniumPython(content: string, fileName?: string): CodeFacts {
  if (!parser) throw new Error('the Python grammar is not loaded: await loadTestCaseParsers() before analysing Python test cases');
  const tree = parser.parse(content);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    if (root.hasError) {
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
    const interactions: Interaction[] = [];
    const scope: Scope = { vars: new Map(), globals: new Map() };
    // Module constants and class attributes first: tests use them wherever they are declared.
    for (const a of root.descendantsOfType('assignment')) {
      if (!a || insideFunction(a)) continue;
      const left = a.childForFieldName('left');
      const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
      const v = evaluate(a.childForFieldName('right'), scope);
      if (name && v) scope.globals.set(name, v);
    }

    let titles: string[] = [];
    let row = 'module';
    // Page-object calls, and the class of each variable made from one (`login = LoginPage(driver)`).
    const pageCalls: PageCall[] = [];
    const types = new Map<string, string>();
    const nameOf = (n: Node | null | undefined) =>
      n?.type === 'identifier'
        ? n.text
        : n?.type === 'attribute' && n.childForFieldName('object')?.text === 'self'
          ? n.childForFieldName('attribute')?.text
          : undefined;
    const visit = (node: Node) => {
      if (node.type === 'function_definition' || node.type === 'class_definition') {
        const name = node.childForFieldName('name')?.text ?? '';
        const saved = { titles, row, vars: scope.vars };
        titles = [name.replace(/^test_?/, '').replace(/_/g, ' '), ...titles];
        if (node.type === 'function_definition') {
          row = `${name}@${node.startPosition.row + 1}`;
          scope.vars = new Map(scope.vars);
          // `def sign_up(page, email="ann@x.io")`: a default is the value when the caller gives none.
          for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
            if (p?.type !== 'default_parameter' && p?.type !== 'typed_default_parameter') continue;
            const v = evaluate(p.childForFieldName('value'), scope);
            const pname = p.childForFieldName('name')?.text;
            if (pname && v) scope.vars.set(pname, v);
          }
        }
        for (const c of node.namedChildren) if (c) visit(c);
        ({ titles, row } = saved);
        scope.vars = saved.vars;
        return;
      }
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        const v = evaluate(node.childForFieldName('right'), scope);
        if (left?.type === 'identifier' && v) scope.vars.set(left.text, v);
        if (left?.type === 'attribute' && v) scope.globals.set(left.childForFieldName('attribute')?.text ?? '', v);
        const right = node.childForFieldName('right');
        const cls = right?.type === 'call' ? right.childForFieldName('function') : undefined;
        const target = nameOf(left);
        if (target && cls?.type === 'identifier' && /^[A-Z]/.test(cls.text)) types.set(target, cls.text);
      }
      if (node.type === 'call') {
        const fn = node.childForFieldName('function');
        const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        // `login_page.login("ann", "s3cret")`, `self.signup.register(user.email, user.password)`: a page object's form method.
        const receiver = nameOf(fn?.childForFieldName('object'));
        if (method && receiver && !(method in PLAYWRIGHT_ACTIONS) && !(method in PLAYWRIGHT_LOCATORS) && method !== 'send_keys') {
          pageCalls.push({
            receiver,
            receiverType: types.get(receiver),
            method,
            // `register(email="a@b.io", password=pw)`: a keyword names its argument.
            args: argsOf(node).map((arg) => {
              const keyword = arg.type === 'keyword_argument' ? arg.childForFieldName('name')?.text : undefined;
              const a = (keyword ? arg.childForFieldName('value') : arg) ?? arg;
              const v = evaluate(a, scope);
              const name = keyword ?? (a.type === 'identifier' ? a.text : a.type === 'attribute' ? a.childForFieldName('attribute')?.text : undefined);
              // `fill_form({"email": "a@b.io"})`: each key of a dict written in the call is a field.
              const fields =
                a.type === 'dictionary'
                  ? a.namedChildren
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
                      .filter((f) => f.name)
                  : undefined;
              return { name, value: v?.kind === 'string' ? v.value : undefined, expr: a.text, fields };
            }),
            line: node.startPosition.row + 1,
            row,
            titles,
          });
        }
        if (method && method in PLAYWRIGHT_ACTIONS) {
          const target = fn?.childForFieldName('object');
          const args = argsOf(node).filter((a) => a.type !== 'keyword_argument');
          let locators = locatorsOf(target, scope);
          let valueNode = args[0];
          // `page.fill("#email", value)`: the selector is the first argument.
          const first = evaluate(args[0], scope);
          if (!locators.length && args.length >= (method === 'check' ? 1 : 2) && first?.kind === 'string') {
            locators = [{ kind: 'css', text: first.value.replace(/^(?:id|css|xpath|data-testid)=/, (m) => (m === 'id=' ? '#' : '')) }];
            valueNode = args[1];
          }
          if (locators.length) {
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
        }
        // `find_element(By.ID, "exampleCheck1").click()`: clicking a checkbox, radio or switch ticks it.
        if (method === 'click' && argsOf(node).length === 0) {
          const target = fn?.childForFieldName('object');
          const locators = locatorsOf(target, scope);
          if (locators.some((l) => TICKABLE.test(l.text))) {
            interactions.push({ locators, action: 'check', line: node.startPosition.row + 1, row, titles });
          }
        }
        if (method && (method === 'send_keys' || SELECT_ACTIONS.has(method))) {
          const target = fn?.childForFieldName('object');
          const locators = locatorsOf(target, scope);
          if (locators.length) {
            const args = argsOf(node);
            const [arg] = args;
            const v = evaluate(arg, scope);
            // `send_keys("Some", Keys.ENTER, "Text")`: the strings typed, an Enter between them a line break.
            const typed =
              v?.kind === 'string' ? args.map((a) => (/^Keys\.(?:ENTER|RETURN)$/.test(a.text) ? '\n' : keysText(evaluate(a, scope)))).join('') : undefined;
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
        }
      }
      for (const c of node.namedChildren) if (c) visit(c);
    };
    visit(root);
    interactions.push(...pageCallInteractions(pageCalls));
    return { interactions, assertions: [] };
  } finally {
    tree.delete();
  }
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
