/**
 * Cypress, Playwright, WebdriverIO, TestCafe and Nightwatch specs through `@babel/parser` (js-ast.ts;
 * TypeScript and JSX): the calls that type
 * into a field — `cy.get(sel).type(v)`, `.clear().type(v)`, `cy.getBySel(id)`, `cy.findByLabelText`,
 * `page.fill(sel, v)`, `page.locator(sel).fill(v)`, `getByLabel/getByPlaceholder/getByRole('textbox',
 * { name })`, `.type`/`.pressSequentially`/`.selectOption`/`.check` — with values resolved from
 * literals in the same file (constants, object properties, template literals), locators kept in
 * variables or page-object properties, function defaults, TestCafe's `typeText(sel, v)` and
 * Nightwatch's `setValue(sel, v)` chains, page-object element methods (`givenNameInput().fill(v)`),
 * custom dropdowns clicked open and then picked in (js-dropdown.ts), page objects called with the
 * test's data (page-calls.ts), and the validation messages asserted next to a field.
 */
import { calleeName, isNode, type JsNode, lineOf, parseJs, propName, unwrap } from './js-ast.ts';
import type { Assertion, CodeFacts, Interaction } from './code.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';
import { ACTIONS, HOOKS, LOCATOR_KIND, LOGIN_COMMAND, PASS_THROUGH, SUITE, TEST } from './js-vocab.ts';
import { clicksFollowedByPick, DROPDOWN_NAME, DROPDOWN_ROLES, elementName, optionNodes } from './js-dropdown.ts';
import { type Context, evaluate, locatorsOf, type Members, objectFields, stringArg, type Value } from './js-values.ts';

/** What one walk over a spec finds, and what it learns along the way about the file's objects. */
interface Walk {
  content: string;
  interactions: Interaction[];
  assertions: Assertion[];
  members: Members;
  // Clicks that open a list, each with the pick that follows it in the same block.
  opened: Map<JsNode, JsNode>;
  // Page-object calls, and the class of each variable made with `new` (`const login = new LoginPage(page)`).
  pageCalls: PageCall[];
  types: Map<string, string>;
  // What a class's methods are called with from its other methods (`this.addTitle(title)`), by method.
  forwarded: Map<string, (Value | undefined)[]>;
}

/** A method call `object.method(...args)` met in the walk, with the scope it is made in. */
interface MethodCall {
  node: JsNode;
  args: JsNode[];
  base?: string;
  method: string;
  object?: JsNode;
  ctx: Context;
}

/** Interactions and assertions of a Cypress or Playwright spec. */
export function analyzeJs(content: string, fileName?: string): CodeFacts {
  const walk: Walk = {
    content,
    interactions: [],
    assertions: [],
    members: new Map(),
    opened: new Map(),
    pageCalls: [],
    types: new Map(),
    forwarded: new Map(),
  };
  visit(parseJs(content, fileName), { scopes: [new Map()], titles: [], row: 'file' }, walk);
  walk.interactions.push(...pageCallInteractions(walk.pageCalls));
  return { interactions: walk.interactions, assertions: walk.assertions };
}

function visit(node: JsNode, ctx: Context, walk: Walk): void {
  let inner = ctx;
  if (node.type === 'Program' || node.type === 'BlockStatement') inner = { ...ctx, scopes: [...ctx.scopes, new Map()] };
  if (node.type === 'BlockStatement') for (const [click, pick] of clicksFollowedByPick(node)) walk.opened.set(click, pick);
  inner = withParameterDefaults(node, ctx, inner, walk);
  recordBindings(node, ctx, walk);
  if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
    inner = testScope(node, ctx, inner, walk.members);
    recordCall(node, ctx, walk);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
    if (Array.isArray(child)) {
      for (const c of child) if (isNode(c)) visit(c, inner, walk);
    } else if (isNode(child)) visit(child, inner, walk);
  }
}

/**
 * `async function signUp(page, email = 'ann@x.io')`, a class method's `level = 'High'`: a default is the
 * value when the caller gives none; `this.selectType(type)` earlier in the class: what the caller passed,
 * over the default. The scope `inner` with the function's parameters added.
 */
function withParameterDefaults(node: JsNode, ctx: Context, inner: Context, walk: Walk): Context {
  if (!/Function|Method/.test(node.type) || !Array.isArray(node.params)) return inner;
  const defaults = new Map<string, Value>();
  const key = node.type === 'ClassMethod' ? (node.key as JsNode | undefined) : undefined;
  const passed = key?.type === 'Identifier' ? walk.forwarded.get(key.name as string) : undefined;
  (node.params as JsNode[]).forEach((p, i) => {
    const left = p.type === 'AssignmentPattern' ? (p.left as JsNode) : p;
    const v = passed?.[i] ?? (p.type === 'AssignmentPattern' ? evaluate(p.right as JsNode, ctx, walk.members) : undefined);
    if (left?.type === 'Identifier' && v) defaults.set(left.name as string, v);
  });
  return defaults.size ? { ...inner, scopes: [...inner.scopes, defaults] } : inner;
}

/** The name a declaration or assignment binds: `email`, `this.email`, `page.email`. */
function boundName(target: JsNode | undefined): string | undefined {
  return target?.type === 'Identifier' ? (target.name as string) : target && /Member/.test(target.type) ? propName(target) : undefined;
}

/** Variables, destructured constants, page-object properties and `new` instances' classes a node defines. */
function recordBindings(node: JsNode, ctx: Context, walk: Walk): void {
  const scope = ctx.scopes[ctx.scopes.length - 1];
  if (node.type === 'VariableDeclarator' || node.type === 'AssignmentExpression') {
    const name = boundName(unwrap((node.id ?? node.left) as JsNode));
    const created = unwrap((node.init ?? node.right) as JsNode | undefined);
    const cls = created?.type === 'NewExpression' ? unwrap(created.callee as JsNode) : undefined;
    if (name && cls?.type === 'Identifier') walk.types.set(name, cls.name as string);
  }
  if (node.type === 'VariableDeclarator') {
    const id = node.id as JsNode;
    const v = evaluate(node.init as JsNode | undefined, ctx, walk.members);
    if (id.type === 'Identifier' && v) scope?.set(id.name as string, v);
    // `const { email, password } = credentials`
    if (id.type === 'ObjectPattern' && v?.kind === 'object') {
      for (const p of id.properties as JsNode[]) {
        const key = p.key as JsNode | undefined;
        const local = p.value as JsNode | undefined;
        const prop = key?.type === 'Identifier' ? (key.name as string) : undefined;
        const pv = prop ? v.props.get(prop) : undefined;
        if (pv && local?.type === 'Identifier') scope?.set(local.name as string, pv);
      }
    }
  }
  if (node.type === 'AssignmentExpression' || node.type === 'ClassProperty' || node.type === 'PropertyDefinition') {
    // `this.email = page.getByLabel('Email')`, `readonly email = this.page.locator('#email')`
    const name = boundName((node.left ?? node.key) as JsNode | undefined);
    const v = evaluate((node.right ?? node.value) as JsNode | undefined, ctx, walk.members);
    if (name && v) walk.members.set(name, v);
  }
}

/** `describe('Sign-up', …)`, `it('rejects a short password', …)`, `beforeEach(…)`: the titles and row inside the call. */
function testScope(node: JsNode, ctx: Context, inner: Context, members: Members): Context {
  const { base, method } = calleeName(node.callee as JsNode);
  const fn =
    method && base && (TEST.has(base) || SUITE.has(base)) ? (method === 'describe' || HOOKS.has(method) ? method : base) : base && !method ? base : undefined;
  if (fn && (SUITE.has(fn) || TEST.has(fn))) {
    const title = stringArg((node.arguments as JsNode[])[0], ctx, members) ?? '';
    const scoped = { ...inner, titles: [title, ...ctx.titles] };
    if (TEST.has(fn)) scoped.row = `${title}@${lineOf(node)}`;
    return scoped;
  }
  return fn && HOOKS.has(fn) ? { ...inner, row: `${fn}@${lineOf(node)}` } : inner;
}

/** What a method call types, picks, asserts or hands to a page object. */
function recordCall(node: JsNode, ctx: Context, walk: Walk): void {
  const args = node.arguments as JsNode[];
  const { base, method } = calleeName(node.callee as JsNode);
  const callee = unwrap(node.callee as JsNode);
  if (!method || !callee || !/Member/.test(callee.type)) return;
  const object = unwrap(callee.object as JsNode);
  if (object?.type === 'ThisExpression' && !walk.forwarded.has(method)) {
    walk.forwarded.set(
      method,
      args.map((a) => evaluate(a, ctx, walk.members)),
    );
  }
  const call: MethodCall = { node, args, base, method, object, ctx };
  if (method in ACTIONS) recordAction(call, walk);
  else if (method === 'click' && walk.opened.has(node)) recordDropdownPick(call, walk);
  else if (recordAssertion(call, walk)) return;
  else if (base === 'cy' && LOGIN_COMMAND.test(method) && args.length >= 2) recordLoginCommand(call, walk);
  else recordPageCall(call, walk);
}

/** `cy.get(sel).type(v)`, `page.fill(sel, v)`, `t.typeText(sel, v)`: one interaction per value typed. */
function recordAction({ node, args, base, method, object, ctx }: MethodCall, walk: Walk): void {
  const locators = locatorsOf(object, ctx, walk.members);
  // `page.fill(selector, value)`: the selector is the first argument.
  // Also inside a chain: `t.click(a).typeText('#name', v)` (TestCafe), `.setValue('#name', v)` (Nightwatch).
  const direct =
    locators.length === 0 &&
    args.length >= (method === 'check' ? 1 : 2) &&
    (object?.type !== 'CallExpression' || stringArg(args[0], ctx, walk.members) !== undefined);
  const selector = direct ? stringArg(args[0], ctx, walk.members) : undefined;
  const valueNode = direct ? args[1] : args[0];
  if (!locators.length && selector === undefined) return;
  // `selectByIndex(2)`: a position, not a value of the field.
  const v = method === 'selectByIndex' ? undefined : evaluate(valueNode, ctx, walk.members);
  const values = v?.kind === 'list' ? v.items : v?.kind === 'string' ? [v.value] : [undefined];
  for (const raw of values) {
    const value = raw === undefined ? undefined : base === 'cy' || !direct ? raw.replace(/\{(?:[a-z]+|\{)\}/gi, '') : raw;
    walk.interactions.push({
      locators: selector !== undefined ? [{ kind: 'css', text: selector }] : locators,
      value: ACTIONS[method] === 'check' && value === undefined ? undefined : value,
      valueExpr:
        valueNode && v === undefined && method !== 'selectByIndex' ? walk.content.slice(valueNode.start as number, valueNode.end as number) : undefined,
      action: ACTIONS[method] as Interaction['action'],
      line: lineOf(node),
      row: ctx.row,
      titles: ctx.titles,
    });
  }
}

/** `projectDropdown.click()` then `page.getByText(project).click()`: a custom dropdown's pick. */
function recordDropdownPick({ node, object, ctx }: MethodCall, walk: Walk): void {
  const locators = locatorsOf(object, ctx, walk.members);
  const name = elementName(object);
  if (!locators.some((l) => l.role && DROPDOWN_ROLES.test(l.role)) && !(name && DROPDOWN_NAME.test(name))) return;
  const value = optionNodes(walk.opened.get(node) as JsNode)
    .map((o) => {
      if (o.text) return stringArg(o.text, ctx, walk.members);
      const options = evaluate(o.options, ctx, walk.members);
      const v = options?.kind === 'object' ? (options.props.get('name') ?? options.props.get('hasText')) : undefined;
      return v?.kind === 'string' ? v.value : undefined;
    })
    .find((v) => v !== undefined);
  walk.interactions.push({
    locators: locators.length ? locators : [{ kind: 'identifier', text: name as string }],
    value,
    action: 'select',
    line: lineOf(node),
    row: ctx.row,
    titles: ctx.titles,
  });
}

/**
 * `.should('contain', msg)`, `expect(el).toHaveText(msg)`, `cy.contains(msg)`: the validation message
 * asserted, with the field it is asserted on when named. Whether the call is an assertion at all.
 */
function recordAssertion({ node, args, method, object, ctx }: MethodCall, walk: Walk): boolean {
  const { members } = walk;
  let locators: () => Assertion['locators'];
  let message: string | undefined;
  if ((method === 'should' || method === 'and') && /contain|have\.text|include\.text/.test(stringArg(args[0], ctx, members) ?? '')) {
    message = stringArg(args[1], ctx, members);
    locators = () => locatorsOf(object, ctx, members);
  } else if (/^(?:toHaveText|toContainText)$/.test(method) && object?.type === 'CallExpression') {
    message = stringArg(args[0], ctx, members);
    locators = () => locatorsOf((object.arguments as JsNode[])[0], ctx, members);
  } else if (/^(?:contains|getByText|findByText)$/.test(method)) {
    message = stringArg(args[args.length - 1], ctx, members);
    locators = () => [];
  } else return false;
  if (message) walk.assertions.push({ locators: locators(), message, line: lineOf(node), titles: ctx.titles });
  return true;
}

/** `cy.login(user.username, 's3cret')`: a user name (or email) and a password. */
function recordLoginCommand({ node, args, ctx }: MethodCall, walk: Walk): void {
  args.slice(0, 2).forEach((arg, i) => {
    const value = stringArg(arg, ctx, walk.members);
    const name = i === 1 ? 'password' : value?.includes('@') ? 'email' : 'username';
    walk.interactions.push({ locators: [{ kind: 'identifier', text: name }], value, action: 'fill', line: lineOf(node), row: ctx.row, titles: ctx.titles });
  });
}

/**
 * `reportIncidentPage.reportIncident(title, description)`, `loginPage.login('ann', 's3cret')`: a page
 * object's form method, kept in `loginPage` or `this.loginPage`; page-calls.ts names the fields its arguments fill.
 */
function recordPageCall({ node, args, method, object, ctx }: MethodCall, walk: Walk): void {
  const receiver =
    object?.type === 'Identifier'
      ? (object.name as string)
      : object && /Member/.test(object.type) && unwrap(object.object as JsNode)?.type === 'ThisExpression'
        ? propName(object)
        : undefined;
  if (!receiver || method in LOCATOR_KIND || PASS_THROUGH.has(method)) return;
  walk.pageCalls.push({
    receiver,
    receiverType: walk.types.get(receiver),
    method,
    args: args.map((arg) => {
      const a = unwrap(arg);
      const v = evaluate(a, ctx, walk.members);
      const value = v?.kind === 'string' ? v.value : v?.kind === 'list' ? v.items[0] : undefined;
      return {
        name: boundName(a),
        value,
        expr: a ? walk.content.slice(a.start as number, a.end as number) : '',
        fields: a ? objectFields(a, ctx, walk.members) : undefined,
      };
    }),
    line: lineOf(node),
    row: ctx.row,
    titles: ctx.titles,
  });
}
