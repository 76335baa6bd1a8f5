/**
 * Selenium and Appium tests in Java through `java-parser` (a full Java grammar producing a concrete
 * syntax tree): `findElement(By.id|name|cssSelector|xpath|…(sel)).sendKeys(v)`, Appium's
 * `AppiumBy.accessibilityId`, page-object fields (`@FindBy(id = "email") WebElement email;` then
 * `email.sendKeys(v)`), locators and values kept in variables or constants (`By EMAIL = By.id(…)`,
 * `String user = "…"`), and `new Select(el).selectByVisibleText(v)`. Each test method is one row of
 * example values; its `@DisplayName`, its name and the class name are its context.
 */
import type { CstNode, IToken } from 'java-parser';
import type { CodeFacts, Interaction, Locator, LocatorKind } from './code.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';
import { chainOf, childrenOf, find, isToken, parseJava, primaryOf, type Segment, tokensOf, unquote } from './java-cst.ts';

type Value = { kind: 'string'; value: string } | { kind: 'locators'; locators: Locator[] };

const BY_KIND: Record<string, LocatorKind> = {
  id: 'identifier',
  name: 'identifier',
  classname: 'identifier',
  accessibilityid: 'identifier',
  accessibility: 'identifier',
  androiduiautomator: 'css',
  cssselector: 'css',
  css: 'css',
  xpath: 'css',
  linktext: 'label',
  partiallinktext: 'label',
};
const LOCATOR_CLASSES = new Set(['By', 'AppiumBy', 'MobileBy']);
const FIND = new Set(['findElement', 'findElementById', 'findElementByName', 'findElementByAccessibilityId', 'findElementByXPath', 'findElementByCssSelector']);
const PASS_THROUGH = new Set(['clear', 'click', 'until', 'get', 'wait', 'visibilityOfElementLocated', 'elementToBeClickable', 'presenceOfElementLocated']);
const SELECT_ACTIONS = new Set(['selectByVisibleText', 'selectByValue', 'selectByIndex']);
const PW_LOCATORS: Record<string, LocatorKind> = {
  locator: 'css',
  getByLabel: 'label',
  getByPlaceholder: 'label',
  getByTestId: 'identifier',
  getByRole: 'label',
};
const PW_ACTIONS: Record<string, Interaction['action']> = {
  fill: 'fill',
  pressSequentially: 'fill',
  selectOption: 'select',
  check: 'check',
  uncheck: 'check',
  setChecked: 'check',
  setInputFiles: 'fill',
};
const HELPER_FILLS = new Set(['type', 'typeText', 'fill', 'fillIn', 'enter', 'enterText', 'input', 'inputText', 'setText', 'setValue', 'sendText', 'write']);

interface Scope {
  vars: Map<string, Value>;
  fields: Map<string, Value>;
}

function evaluate(expression: CstNode | undefined, scope: Scope): Value | undefined {
  if (!expression) return undefined;
  const binary = find(expression, 'binaryExpression');
  if (!binary) return undefined;
  // `"a" + b + "c"`: every operand a literal or a known string.
  const operators = tokensOf(binary).filter((t) => t.tokenType.name === 'BinaryOperator' || t.image === '+');
  const unary = (binary.children.unaryExpression ?? []) as CstNode[];
  if (unary.length > 1) {
    if (!operators.every((t) => t.image === '+')) return undefined;
    let out = '';
    for (const u of unary) {
      const p = u.children.primary?.[0] as CstNode | undefined;
      const v = p ? evaluatePrimary(p, scope) : undefined;
      if (v?.kind !== 'string') return undefined;
      out += v.value;
    }
    return { kind: 'string', value: out };
  }
  const primary = primaryOf(expression);
  return primary ? evaluatePrimary(primary, scope) : undefined;
}

function evaluatePrimary(primary: CstNode, scope: Scope): Value | undefined {
  const tokens = tokensOf(primary);
  const only = tokens.length === 1 ? tokens[0] : undefined;
  if (only && (only.tokenType.name === 'StringLiteral' || only.tokenType.name === 'TextBlock')) return { kind: 'string', value: unquote(only.image) };
  if (only && /Literal$/.test(only.tokenType.name)) return { kind: 'string', value: only.image.replace(/[lLfFdD]$/, '') };
  const chain = chainOf(primary);
  if (!chain?.length) return undefined;
  const locators = locatorsOf(chain, scope);
  if (locators.length) return { kind: 'locators', locators };
  // `user`, `this.user`, `Data.USER`: a known variable or field.
  const last = chain[chain.length - 1];
  if (last && !last.args) return scope.vars.get(last.name) ?? scope.fields.get(last.name);
  return undefined;
}

/** The locators a chain points at (`driver.findElement(By.id("x"))`, `By.id("x")`, a known WebElement). */
function locatorsOf(chain: Segment[], scope: Scope): Locator[] {
  for (let i = chain.length - 1; i >= 0; i--) {
    const seg = chain[i] as Segment;
    const prev = chain[i - 1];
    if (seg.args && prev && LOCATOR_CLASSES.has(prev.name) && BY_KIND[seg.name.toLowerCase()]) {
      const v = evaluate(seg.args[0], scope);
      return v?.kind === 'string' ? [{ kind: BY_KIND[seg.name.toLowerCase()] as LocatorKind, text: v.value }] : [];
    }
    if (seg.args && FIND.has(seg.name)) {
      const how = seg.name.replace(/^findElementBy/, '').toLowerCase();
      const v = evaluate(seg.args[0], scope);
      if (v?.kind === 'locators') return v.locators;
      if (v?.kind === 'string' && how !== 'findelement') return [{ kind: BY_KIND[how] ?? 'css', text: v.value }];
      return [];
    }
    // Playwright for Java: `page.locator("#x")`, `page.getByLabel("City")`, `getByRole(AriaRole.TEXTBOX, …setName("x"))`.
    if (seg.args && seg.name in PW_LOCATORS) {
      if (seg.name === 'getByRole') {
        const role = tokensOf(seg.args[0] as CstNode).pop()?.image ?? '';
        const tokens = seg.args[1] ? tokensOf(seg.args[1]) : [];
        const name = tokens.find((t, k) => t.tokenType.name === 'StringLiteral' && tokens[k - 2]?.image === 'setName');
        return /^(?:TEXTBOX|SEARCHBOX|COMBOBOX|SPINBUTTON|CHECKBOX|RADIO|LISTBOX)$/.test(role) && name ? [{ kind: 'label', text: unquote(name.image) }] : [];
      }
      const v = evaluate(seg.args[0], scope);
      return v?.kind === 'string' ? [{ kind: PW_LOCATORS[seg.name] as LocatorKind, text: v.value }] : [];
    }
    if (seg.name === 'new Select' && seg.args) {
      const v = evaluate(seg.args[0], scope);
      return v?.kind === 'locators' ? v.locators : [];
    }
    if (seg.args && !PASS_THROUGH.has(seg.name)) return [];
    if (!seg.args && i === chain.length - 1) {
      const v = scope.vars.get(seg.name) ?? scope.fields.get(seg.name);
      if (v?.kind === 'locators') return v.locators;
    }
  }
  return [];
}

/** The locator a `@FindBy(id = "email")`/`@AndroidFindBy(accessibility = "x")` annotation names. */
function annotationLocator(annotation: CstNode): Locator | undefined {
  const name = tokensOf(annotation).find((t) => t.tokenType.name === 'Identifier')?.image ?? '';
  if (!/FindBy$/.test(name)) return undefined;
  for (const pair of (find(annotation, 'elementValuePairList')?.children.elementValuePair ?? []) as CstNode[]) {
    const key = (pair.children.Identifier?.[0] as IToken | undefined)?.image.toLowerCase() ?? '';
    const value = pair.children.elementValue?.[0] as CstNode | undefined;
    const text = value ? tokensOf(value).find((t) => t.tokenType.name === 'StringLiteral') : undefined;
    const kind = BY_KIND[key.replace(/_/g, '')];
    if (text && kind) return { kind, text: unquote(text.image) };
    // `@FindBy(how = How.ID, using = "email")`
    if (key === 'using' && text) {
      const how = tokensOf(annotation).find((t) => /^(?:ID|NAME|CSS|XPATH|CLASS_NAME|ID_OR_NAME)$/.test(t.image))?.image ?? 'CSS';
      return { kind: /ID|NAME/.test(how) ? 'identifier' : 'css', text: unquote(text.image) };
    }
  }
  return undefined;
}

/** What one walk over a test class finds, and the test method it is inside. */
interface Walk {
  scope: Scope;
  // The class of each field and local variable (`FactoryLoginPage login;`, `var page = new LoginPage()`).
  types: Map<string, string>;
  className: string;
  titles: string[];
  row: string;
  interactions: Interaction[];
  pageCalls: PageCall[];
}

/** Interactions of a Selenium or Appium Java test class. */
export function analyzeSeleniumJava(content: string, fileName?: string): CodeFacts {
  const cst = parseJava(content, fileName);
  const walk: Walk = {
    scope: { vars: new Map(), fields: new Map() },
    types: new Map(),
    className: tokensOf(find(cst, 'normalClassDeclaration') ?? cst).find((t) => t.tokenType.name === 'Identifier')?.image ?? '',
    titles: [],
    row: 'class',
    interactions: [],
    pageCalls: [],
  };
  // Fields first: a page object declares them anywhere in the class.
  recordFields(cst, walk);
  visit(cst, walk);
  walk.interactions.push(...pageCallInteractions(walk.pageCalls));
  return { interactions: walk.interactions, assertions: [] };
}

/** The source text of a node, tokens joined. */
function sourceOf(node: CstNode): string {
  return tokensOf(node)
    .map((t) => t.image)
    .join('');
}

/** Field declarations anywhere under `node`: their classes, and the locators or values they hold. */
function recordFields(node: CstNode, walk: Walk): void {
  for (const c of childrenOf(node)) {
    if (isToken(c)) continue;
    if (c.name !== 'fieldDeclaration') {
      recordFields(c, walk);
      continue;
    }
    const annotations = ((c.children.fieldModifier ?? []) as CstNode[]).map((m) => find(m, 'annotation')).filter((a): a is CstNode => !!a);
    const located = annotations.map((a) => annotationLocator(a)).find(Boolean);
    for (const d of (find(c, 'variableDeclaratorList')?.children.variableDeclarator ?? []) as CstNode[]) {
      const id = tokensOf(d).find((t) => t.tokenType.name === 'Identifier');
      if (!id) continue;
      const type = typeOf(c, d);
      if (type) walk.types.set(id.image, type);
      const init = find(d, 'variableInitializer');
      const v = located ? ({ kind: 'locators', locators: [located] } as Value) : evaluate(init ? find(init, 'expression') : undefined, walk.scope);
      if (v) walk.scope.fields.set(id.image, v);
    }
  }
}

function visit(node: CstNode, walk: Walk): void {
  if (node.name === 'methodDeclaration') {
    visitMethod(node, walk);
    return;
  }
  if (node.name === 'localVariableDeclaration') recordLocals(node, walk);
  if (node.name === 'primary') {
    const chain = chainOf(node);
    if (chain) {
      recordPageCall(chain, walk);
      for (const [i, seg] of chain.entries()) recordChainStep(chain, seg, i, walk);
    }
  }
  for (const c of childrenOf(node)) if (!isToken(c)) visit(c, walk);
}

/** A test method: one row, titled by its `@DisplayName`, its name and the class name, with its own variables. */
function visitMethod(node: CstNode, walk: Walk): void {
  const header = find(node, 'methodHeader');
  const name = header ? (tokensOf(find(header, 'methodDeclarator') ?? header).find((t) => t.tokenType.name === 'Identifier')?.image ?? '') : '';
  const display = ((node.children.methodModifier ?? []) as CstNode[])
    .map((m) => find(m, 'annotation'))
    .filter((a): a is CstNode => !!a && /DisplayName|Description/.test(tokensOf(a)[1]?.image ?? ''))
    .map((a) => tokensOf(a).find((t) => t.tokenType.name === 'StringLiteral'))
    .map((t) => (t ? unquote(t.image) : ''))
    .filter(Boolean);
  const saved = { titles: walk.titles, row: walk.row, vars: walk.scope.vars };
  walk.titles = [...display, name.replace(/([a-z])([A-Z])/g, '$1 $2'), walk.className];
  walk.row = `${name}@${node.location?.startLine ?? 0}`;
  walk.scope.vars = new Map();
  for (const c of childrenOf(node)) if (!isToken(c)) visit(c, walk);
  walk.titles = saved.titles;
  walk.row = saved.row;
  walk.scope.vars = saved.vars;
}

/** `String user = "ann"`, `By EMAIL = By.id("email")`, `var page = new LoginPage()`. */
function recordLocals(node: CstNode, { scope, types }: Walk): void {
  for (const d of (find(node, 'variableDeclaratorList')?.children.variableDeclarator ?? []) as CstNode[]) {
    const id = tokensOf(d).find((t) => t.tokenType.name === 'Identifier');
    const init = find(d, 'variableInitializer');
    const v = evaluate(init ? find(init, 'expression') : undefined, scope);
    if (id && v) scope.vars.set(id.image, v);
    const type = typeOf(node, d);
    if (id && type) types.set(id.image, type);
  }
}

/** `login.with("user", "secret")`, `this.registerPage.register(user.email, user.password)`: a page object's form method. */
function recordPageCall(chain: Segment[], { scope, types, pageCalls, row, titles }: Walk): void {
  const call = chain[0]?.name === 'this' ? chain.slice(1) : chain;
  if (call.length !== 2 || call[0]?.args || !call[1]?.args) return;
  const receiver = call[0]?.name as string;
  pageCalls.push({
    receiver,
    receiverType: types.get(receiver),
    method: call[1]?.name as string,
    args: (call[1]?.args ?? []).map((a) => {
      const v = evaluate(a, scope);
      const p = primaryOf(a);
      const parts = p ? chainOf(p) : undefined;
      const last = parts?.[parts.length - 1];
      const name = last && !last.args && !/^[A-Z_]+$/.test(last.name) ? last.name : undefined;
      return { name, value: v?.kind === 'string' ? v.value : undefined, expr: sourceOf(a) };
    }),
    line: call[1]?.line ?? 1,
    row,
    titles,
  });
}

/** What one call of a chain types or selects into the element the chain before it points at. */
function recordChainStep(chain: Segment[], seg: Segment, i: number, walk: Walk): void {
  // A base page's helper: `type(usernameInput, username)` types into the element it is given.
  if (seg.args && seg.args.length >= 2 && HELPER_FILLS.has(seg.name) && (i === 0 || (i === 1 && chain[0]?.name === 'this'))) recordHelperFill(seg, walk);
  else if (seg.args && seg.name in PW_ACTIONS && i > 0) recordPlaywrightAction(chain, i, walk);
  else if (seg.args && (seg.name === 'sendKeys' || SELECT_ACTIONS.has(seg.name))) recordKeysOrSelect(chain, i, walk);
}

/** `type(usernameInput, username)`: the element is the first argument, the value the second. */
function recordHelperFill(seg: Segment, { scope, interactions, row, titles }: Walk): void {
  const args = seg.args as CstNode[];
  const target = evaluate(args[0], scope);
  if (target?.kind !== 'locators') return;
  const v = evaluate(args[1], scope);
  interactions.push({
    locators: target.locators,
    value: v?.kind === 'string' ? v.value : undefined,
    valueExpr: v?.kind === 'string' ? undefined : sourceOf(args[1] as CstNode),
    action: 'fill',
    line: seg.line,
    row,
    titles,
  });
}

/** Playwright for Java: `page.getByLabel("Email").fill(v)`, `page.fill("#email", v)`. */
function recordPlaywrightAction(chain: Segment[], i: number, { scope, interactions, row, titles }: Walk): void {
  const seg = chain[i] as Segment;
  const args = seg.args as CstNode[];
  let locators = locatorsOf(chain.slice(0, i), scope);
  let valueArg = args[0];
  const first = evaluate(args[0], scope);
  // `page.fill("#email", "a@b.io")`: the selector is the first argument.
  if (!locators.length && first?.kind === 'string' && args.length >= (seg.name === 'check' ? 1 : 2)) {
    locators = [{ kind: 'css', text: first.value }];
    valueArg = args[1];
  }
  if (!locators.length) return;
  const v = valueArg ? evaluate(valueArg, scope) : undefined;
  interactions.push({
    locators,
    value: v?.kind === 'string' ? v.value : undefined,
    valueExpr: v || !valueArg ? undefined : sourceOf(valueArg),
    action: PW_ACTIONS[seg.name] as Interaction['action'],
    line: seg.line,
    row,
    titles,
  });
}

/** `findElement(By.id("email")).sendKeys(v)`, `new Select(el).selectByVisibleText(v)`. */
function recordKeysOrSelect(chain: Segment[], i: number, { scope, interactions, row, titles }: Walk): void {
  const seg = chain[i] as Segment;
  const args = seg.args as CstNode[];
  const locators = locatorsOf(chain.slice(0, i), scope);
  if (!locators.length) return;
  const parts = args.map((a) => evaluate(a, scope));
  const strings = parts.filter((p): p is { kind: 'string'; value: string } => p?.kind === 'string');
  const firstLocatorLine = chain.slice(0, i).find((s) => s.args && (FIND.has(s.name) || s.name === 'new Select'))?.args?.[0];
  const line = (firstLocatorLine && tokensOf(firstLocatorLine)[0]?.startLine) || seg.line;
  interactions.push({
    locators,
    // `selectByIndex(2)`: a position, not a value of the field.
    value: strings.length && seg.name !== 'selectByIndex' ? strings.map((s) => s.value).join('') : undefined,
    valueExpr: strings.length || seg.name === 'selectByIndex' ? undefined : args[0] ? sourceOf(args[0]) : undefined,
    action: SELECT_ACTIONS.has(seg.name) ? 'select' : 'fill',
    line,
    row,
    titles,
  });
}

/** The class a declaration gives its variable: its declared type, or the class `var x = new X()` creates. */
function typeOf(declaration: CstNode, declarator: CstNode): string | undefined {
  const created = find(declarator, 'newExpression');
  const createdType = created ? tokensOf(created).find((t) => t.tokenType.name === 'Identifier')?.image : undefined;
  const declared = find(declaration, 'unannType') ?? find(declaration, 'localVariableType');
  const type = declared ? tokensOf(declared).find((t) => t.tokenType.name === 'Identifier')?.image : undefined;
  return createdType ?? (type === 'var' ? undefined : type);
}
