/**
 * C# UI tests through tree-sitter's C# grammar: Selenium (`FindElement(By.Id("x")).SendKeys(v)`,
 * elements kept in variables, `new SelectElement(el).SelectByText(v)`) and Playwright .NET
 * (`page.FillAsync("#x", v)`, `Page.GetByLabel("City").FillAsync(v)`, `Locator("[data-testid=…]")`,
 * `GetByRole(AriaRole.Textbox, new() { Name = "x" })`, `SelectOptionAsync`, `CheckAsync`). Values
 * resolve through string literals, constants, local variables, parameter defaults and interpolated
 * strings with literal parts. Each method is one row of example values.
 */
import type { Node, Parser } from 'web-tree-sitter';
import type { CodeFacts, Interaction, Locator, LocatorKind } from './code.ts';
import { assertParsed, loadGrammar, named } from './grammar-loader.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads the C# grammar once; later calls return the same promise. */
export function loadCsharpGrammar(): Promise<void> {
  loading ??= loadGrammar('tree-sitter-c-sharp/tree-sitter-c_sharp.wasm')
    .then((p) => {
      parser = p;
    })
    .catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
  return loading;
}

type Value = { kind: 'string'; value: string } | { kind: 'locators'; locators: Locator[] };

const BY_KIND: Record<string, LocatorKind> = {
  id: 'identifier',
  name: 'identifier',
  classname: 'identifier',
  cssselector: 'css',
  xpath: 'css',
  tagname: 'css',
  linktext: 'label',
  partiallinktext: 'label',
};
const LOCATOR_METHODS: Record<string, LocatorKind> = {
  Locator: 'css',
  QuerySelector: 'css',
  QuerySelectorAsync: 'css',
  WaitForSelectorAsync: 'css',
  GetByLabel: 'label',
  GetByPlaceholder: 'label',
  GetByTestId: 'identifier',
  GetByRole: 'label',
};
const ACTIONS: Record<string, Interaction['action']> = {
  SendKeys: 'fill',
  FillAsync: 'fill',
  Fill: 'fill',
  TypeAsync: 'fill',
  PressSequentiallyAsync: 'fill',
  SelectByText: 'select',
  SelectByValue: 'select',
  SelectByIndex: 'select',
  SelectOptionAsync: 'select',
  CheckAsync: 'check',
  UncheckAsync: 'check',
  SetInputFilesAsync: 'fill',
  SetCheckedAsync: 'check',
  Check: 'check',
};
const PASS_THROUGH = new Set(['Clear', 'ClearAsync', 'Click', 'ClickAsync', 'First', 'Last', 'Nth', 'Until', 'FocusAsync']);
const FIELD_ROLES = /^(?:textbox|searchbox|combobox|spinbutton|checkbox|radio|switch|listbox|slider)$/i;

interface Scope {
  vars: Map<string, Value>;
  globals: Map<string, Value>;
}

function evaluate(node: Node | null | undefined, scope: Scope): Value | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string_literal':
    case 'verbatim_string_literal':
    case 'raw_string_literal': {
      const content = named(node)
        .filter((c) => c.type === 'string_literal_content' || c.type === 'escape_sequence' || c.type === 'raw_string_content')
        .map((c) => (c.type === 'escape_sequence' ? (JSON.parse(`"${c.text.replace(/"/g, '\\"')}"`) as string) : c.text))
        .join('');
      if (node.type === 'verbatim_string_literal') return { kind: 'string', value: node.text.replace(/^@"|"$/g, '').replace(/""/g, '"') };
      return { kind: 'string', value: content };
    }
    case 'interpolated_string_expression': {
      let out = '';
      for (const c of named(node)) {
        if (c.type === 'string_content') out += c.text;
        else if (c.type === 'interpolation') {
          const v = evaluate(
            named(c).find((x) => !/^interpolation_(?:brace|format_clause|alignment_clause)$/.test(x.type)),
            scope,
          );
          if (v?.kind !== 'string') return undefined;
          out += v.value;
        }
      }
      return { kind: 'string', value: out };
    }
    case 'integer_literal':
    case 'real_literal':
    case 'boolean_literal':
      return { kind: 'string', value: node.text };
    case 'binary_expression': {
      const [l, r] = named(node);
      const a = evaluate(l, scope);
      const b = evaluate(r, scope);
      return a?.kind === 'string' && b?.kind === 'string' ? { kind: 'string', value: a.value + b.value } : undefined;
    }
    case 'parenthesized_expression':
    case 'await_expression':
      return evaluate(named(node)[0], scope);
    case 'identifier':
      return scope.vars.get(node.text) ?? scope.globals.get(node.text);
    case 'member_access_expression': {
      const name = node.childForFieldName('name')?.text ?? '';
      if (node.text === 'string.Empty' || node.text === 'String.Empty') return { kind: 'string', value: '' };
      return scope.globals.get(name);
    }
    case 'invocation_expression': {
      const locators = locatorsOf(node, scope);
      return locators.length ? { kind: 'locators', locators } : undefined;
    }
    case 'object_creation_expression': {
      // `new SelectElement(el)`: the element it wraps.
      const arg = named(node.childForFieldName('arguments'))[0];
      return evaluate(named(arg)[0], scope);
    }
    default:
      return undefined;
  }
}

const argsOf = (call: Node) => named(call.childForFieldName('arguments')).map((a) => named(a)[named(a).length - 1] ?? a);

/** `Name = "x"` inside `new() { Name = "x" }` or `new PageGetByRoleOptions { Name = "x" }`. */
function optionName(node: Node | undefined, scope: Scope): string | undefined {
  if (!node) return undefined;
  for (const a of node.descendantsOfType('assignment_expression')) {
    if (!a) continue;
    const [left, right] = named(a);
    if (left?.text === 'Name') {
      const v = evaluate(right, scope);
      if (v?.kind === 'string') return v.value;
    }
  }
  return undefined;
}

/** The locators an expression points at, nearest first. */
function locatorsOf(start: Node | null | undefined, scope: Scope): Locator[] {
  let node = start;
  const out: Locator[] = [];
  while (node) {
    if (node.type === 'await_expression' || node.type === 'parenthesized_expression') {
      node = named(node)[0];
      continue;
    }
    if (node.type !== 'invocation_expression') {
      const v = evaluate(node, scope);
      if (v?.kind === 'locators') out.push(...v.locators);
      return out;
    }
    const fn = node.childForFieldName('function');
    const method = fn?.type === 'member_access_expression' ? (fn.childForFieldName('name')?.text ?? '') : (fn?.text ?? '');
    const args = argsOf(node);
    if (method === 'FindElement' || method === 'FindElements') {
      const by = args[0];
      if (by?.type === 'invocation_expression') {
        const byFn = by.childForFieldName('function');
        const how = byFn?.type === 'member_access_expression' ? (byFn.childForFieldName('name')?.text ?? '') : '';
        const text = evaluate(argsOf(by)[0], scope);
        const kind = BY_KIND[how.toLowerCase()];
        if (kind && text?.kind === 'string') out.push({ kind, text: text.value });
      } else {
        const v = evaluate(by, scope);
        if (v?.kind === 'locators') out.push(...v.locators);
      }
      return out;
    }
    if (method in LOCATOR_METHODS) {
      if (method === 'GetByRole') {
        const role = args[0]?.text.split('.').pop() ?? '';
        const name = optionName(args[1], scope);
        if (!FIELD_ROLES.test(role)) return [];
        if (name) out.push({ kind: 'label', text: name });
      } else {
        const text = evaluate(args[0], scope);
        if (text?.kind === 'string') out.push({ kind: LOCATOR_METHODS[method] as LocatorKind, text: text.value });
      }
    } else if (!PASS_THROUGH.has(method)) return out;
    node = fn?.type === 'member_access_expression' ? fn.childForFieldName('expression') : null;
  }
  return out;
}

/** What one walk over a test file finds, and the test method it is inside. */
interface Walk {
  scope: Scope;
  // The class of each variable, field and property the file declares or creates (`var page = new RegisterPage(…)`).
  types: Map<string, string>;
  titles: string[];
  row: string;
  interactions: Interaction[];
  pageCalls: PageCall[];
}

/** Interactions of a C# Selenium or Playwright .NET test. */
export function analyzeCsharp(content: string, fileName?: string): CodeFacts {
  if (!parser) throw new Error('the C# grammar is not loaded: await loadTestCaseParsers() before analysing C# test cases');
  const tree = parser.parse(content.replace(/^\uFEFF/, ''));
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    assertParsed(root, 'C#', fileName);
    const walk: Walk = { scope: classMembers(root), types: declaredTypes(root), titles: [], row: 'file', interactions: [], pageCalls: [] };
    visit(root, walk);
    walk.interactions.push(...pageCallInteractions(walk.pageCalls));
    return { interactions: walk.interactions, assertions: [] };
  } finally {
    tree.delete();
  }
}

/** Fields, constants and expression-bodied properties first: methods use them wherever declared. */
function classMembers(root: Node): Scope {
  const scope: Scope = { vars: new Map(), globals: new Map() };
  for (const d of root.descendantsOfType(['field_declaration', 'property_declaration'])) {
    if (!d) continue;
    if (d.type === 'property_declaration') {
      const name = d.childForFieldName('name')?.text;
      const body = named(d).find((c) => c.type === 'arrow_expression_clause');
      const v = body ? evaluate(named(body)[0], scope) : evaluate(d.childForFieldName('value'), scope);
      if (name && v) scope.globals.set(name, v);
      continue;
    }
    for (const decl of d.descendantsOfType('variable_declarator')) declare(decl, scope.globals, scope);
  }
  return scope;
}

/** The class of each variable, field and property the file declares or creates (`var page = new RegisterPage(…)`). */
function declaredTypes(root: Node): Map<string, string> {
  const types = new Map<string, string>();
  for (const d of root.descendantsOfType(['variable_declaration', 'property_declaration'])) {
    const declared = d?.childForFieldName('type')?.text;
    if (!d) continue;
    if (d.type === 'property_declaration') {
      const name = d.childForFieldName('name')?.text;
      if (name && declared) types.set(name, declared);
      continue;
    }
    for (const decl of d.descendantsOfType('variable_declarator')) {
      const name = decl?.childForFieldName('name')?.text;
      const init = decl ? named(decl).find((c) => c.type === 'object_creation_expression' || c.type === 'equals_value_clause') : undefined;
      const created = init?.type === 'equals_value_clause' ? named(init)[0] : init;
      const type = created?.type === 'object_creation_expression' ? created.childForFieldName('type')?.text : declared !== 'var' ? declared : undefined;
      if (name && type) types.set(name, type);
    }
  }
  return types;
}

function visit(node: Node, walk: Walk): void {
  const { scope } = walk;
  if (node.type === 'method_declaration' || node.type === 'class_declaration' || node.type === 'constructor_declaration') {
    visitDefinition(node, walk);
    return;
  }
  if (node.type === 'local_declaration_statement') for (const decl of node.descendantsOfType('variable_declarator')) declare(decl, scope.vars, scope);
  if (node.type === 'assignment_expression') {
    const [left, right] = named(node);
    const v = evaluate(right, scope);
    if (left?.type === 'identifier' && v) scope.vars.set(left.text, v);
  }
  if (node.type === 'invocation_expression') {
    const fn = node.childForFieldName('function');
    const method = fn?.type === 'member_access_expression' ? (fn.childForFieldName('name')?.text ?? '') : '';
    const action = ACTIONS[method];
    const receiver = fn?.childForFieldName('expression');
    if (!action && receiver?.type === 'identifier') recordPageCall(node, receiver.text, method, walk);
    if (action && fn) recordAction(node, fn, method, action, walk);
  }
  for (const c of named(node)) visit(c, walk);
}

/** A class, method or constructor: its name titles what is inside; a method is a row, with its parameters' defaults in scope. */
function visitDefinition(node: Node, walk: Walk): void {
  const { scope } = walk;
  const name = node.childForFieldName('name')?.text ?? '';
  const saved = { titles: walk.titles, row: walk.row, vars: scope.vars };
  walk.titles = [name.replace(/Async$/, '').replace(/_/g, ' '), ...walk.titles];
  if (node.type !== 'class_declaration') {
    walk.row = `${name}@${node.startPosition.row + 1}`;
    scope.vars = new Map(scope.vars);
    for (const p of node.descendantsOfType('parameter')) {
      const pname = p?.childForFieldName('name')?.text;
      const def = p ? named(p).find((c) => c.type !== 'identifier' && c.type !== 'predefined_type' && c.previousSibling?.text === '=') : undefined;
      const v = evaluate(def, scope);
      if (pname && v) scope.vars.set(pname, v);
    }
  }
  for (const c of named(node)) visit(c, walk);
  walk.titles = saved.titles;
  walk.row = saved.row;
  scope.vars = saved.vars;
}

/** `registerPage.Register(user.Email, "s3cret")`: a page object's method, with what its arguments hold. */
function recordPageCall(node: Node, receiver: string, method: string, { scope, types, pageCalls, row, titles }: Walk): void {
  pageCalls.push({
    receiver,
    receiverType: types.get(receiver),
    method,
    args: argsOf(node).map((a) => {
      const v = evaluate(a, scope);
      // `user.Email` is named Email; `string.Empty` is a value, not a name.
      const builtIn = /^(?:string|String)\./.test(a.text);
      const name = a.type === 'identifier' ? a.text : a.type === 'member_access_expression' && !builtIn ? a.childForFieldName('name')?.text : undefined;
      return { name, value: v?.kind === 'string' ? v.value : undefined, expr: a.text, fields: initializerFields(a, scope) };
    }),
    line: node.startPosition.row + 1,
    row,
    titles,
  });
}

/** `el.SendKeys(v)`, `Page.GetByLabel("City").FillAsync(v)`, `page.FillAsync("#x", v)`: what is typed, picked or ticked where. */
function recordAction(node: Node, fn: Node, method: string, action: Interaction['action'], { scope, interactions, row, titles }: Walk): void {
  const args = argsOf(node);
  let locators = locatorsOf(fn.childForFieldName('expression'), scope);
  let valueNode = args[0];
  // `page.FillAsync("#email", value)`: the selector is the first argument.
  if (!locators.length && args.length >= (action === 'check' ? 1 : 2)) {
    const sel = evaluate(args[0], scope);
    if (sel?.kind === 'string') locators = [{ kind: 'css', text: sel.value }];
    valueNode = args[1];
  }
  if (!locators.length) return;
  // `SelectByIndex(2)`: a position, not a value of the field.
  const v = method === 'SelectByIndex' ? { kind: 'string' as const, value: '' } : evaluate(valueNode, scope);
  interactions.push({
    locators,
    value: v?.kind === 'string' ? v.value : undefined,
    valueExpr: v || !valueNode ? undefined : valueNode.text,
    action,
    line: node.startPosition.row + 1,
    row,
    titles,
  });
}

function declare(decl: Node | null, into: Map<string, Value>, scope: Scope) {
  if (!decl) return;
  const name = decl.childForFieldName('name')?.text;
  const init = named(decl).filter((c) => c.type !== 'identifier' || c.text !== name);
  const value = init[init.length - 1];
  const v = value && value.text !== name ? evaluate(value.type === 'equals_value_clause' ? named(value)[0] : value, scope) : undefined;
  if (name && v) into.set(name, v);
}

/** `new User { Email = "a@b.io", Password = pw }`, `new { Email = "a@b.io" }`: the members it sets. */
function initializerFields(node: Node, scope: Scope): { name: string; value?: string; expr: string }[] | undefined {
  if (node.type !== 'object_creation_expression' && node.type !== 'anonymous_object_creation_expression') return undefined;
  const init = node.type === 'object_creation_expression' ? named(node).find((c) => c.type === 'initializer_expression') : node;
  if (!init) return undefined;
  const out: { name: string; value?: string; expr: string }[] = [];
  for (const c of named(init)) {
    // `Email = "x"` is an assignment in an initializer, a name, `=` and a value in an anonymous object.
    const [left, right] = c.type === 'assignment_expression' ? named(c) : c.nextSibling?.text === '=' ? [c, c.nextNamedSibling ?? undefined] : [];
    const target = left;
    const valueNode = right;
    if (target?.type !== 'identifier' || !valueNode) continue;
    const v = evaluate(valueNode, scope);
    out.push({ name: target.text, value: v?.kind === 'string' ? v.value : undefined, expr: valueNode.text });
  }
  return out;
}
