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
import { calleeName, isNode, type JsNode, lineOf, memberName, parseJs, propName, unwrap } from './js-ast.ts';
import type { Assertion, CodeFacts, Interaction, Locator, LocatorKind } from './code.ts';
import { type PageCall, pageCallInteractions } from './page-calls.ts';
import { ACTIONS, ELEMENT_METHOD, FIELD_ROLES, HOOKS, LOCATOR_KIND, LOGIN_COMMAND, PASS_THROUGH, SUITE, TEST } from './js-vocab.ts';
import { clicksFollowedByPick, DROPDOWN_NAME, DROPDOWN_ROLES, elementName, optionNodes } from './js-dropdown.ts';

type Value =
  | { kind: 'string'; value: string }
  | { kind: 'object'; props: Map<string, Value> }
  | { kind: 'list'; items: string[] }
  | { kind: 'locators'; locators: Locator[] };

interface Context {
  scopes: Map<string, Value>[];
  titles: string[];
  row: string;
}

/** Static properties of `this.x = …` anywhere in the file (page objects), by property name. */
type Members = Map<string, Value>;

function lookup(name: string, ctx: Context): Value | undefined {
  for (let i = ctx.scopes.length - 1; i >= 0; i--) {
    const v = ctx.scopes[i]?.get(name);
    if (v) return v;
  }
  return undefined;
}

function evaluate(n: JsNode | undefined, ctx: Context, members: Members): Value | undefined {
  const node = unwrap(n);
  if (!node) return undefined;
  switch (node.type) {
    case 'StringLiteral':
      return { kind: 'string', value: node.value as string };
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return { kind: 'string', value: String(node.value) };
    case 'RegExpLiteral':
      return { kind: 'string', value: node.pattern as string };
    case 'TemplateLiteral': {
      const quasis = node.quasis as JsNode[];
      const exprs = node.expressions as JsNode[];
      let out = '';
      for (let i = 0; i < quasis.length; i++) {
        out += (quasis[i]?.value as { cooked?: string } | undefined)?.cooked ?? '';
        if (i < exprs.length) {
          const v = evaluate(exprs[i], ctx, members);
          if (v?.kind !== 'string') return undefined;
          out += v.value;
        }
      }
      return { kind: 'string', value: out };
    }
    case 'BinaryExpression': {
      if (node.operator !== '+') return undefined;
      const l = evaluate(node.left as JsNode, ctx, members);
      const r = evaluate(node.right as JsNode, ctx, members);
      return l?.kind === 'string' && r?.kind === 'string' ? { kind: 'string', value: l.value + r.value } : undefined;
    }
    case 'Identifier':
      return lookup(node.name as string, ctx);
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      const prop = propName(node);
      if (!prop) return undefined;
      const object = unwrap(node.object as JsNode);
      if (object?.type === 'ThisExpression') return members.get(prop);
      const base = evaluate(object, ctx, members);
      if (base?.kind === 'object') return base.props.get(prop);
      return members.get(prop)?.kind === 'locators' && object?.type === 'Identifier' && !lookup(object.name as string, ctx) ? members.get(prop) : undefined;
    }
    case 'ObjectExpression': {
      const props = new Map<string, Value>();
      for (const p of node.properties as JsNode[]) {
        if (p.type !== 'ObjectProperty') continue;
        const key = p.key as JsNode;
        const name = key.type === 'Identifier' ? (key.name as string) : key.type === 'StringLiteral' ? (key.value as string) : undefined;
        const v = name ? evaluate(p.value as JsNode, ctx, members) : undefined;
        if (name && v) props.set(name, v);
      }
      return { kind: 'object', props };
    }
    case 'ArrayExpression': {
      const items = (node.elements as (JsNode | null)[]).map((e) => evaluate(e ?? undefined, ctx, members));
      if (items.every((v) => v?.kind === 'string')) return { kind: 'list', items: items.map((v) => (v as { value: string }).value) };
      // `['demouser', browser.Keys.ENTER]` (Nightwatch): the text typed, then keys.
      const strings = items.filter((v): v is { kind: 'string'; value: string } => v?.kind === 'string');
      return strings.length ? { kind: 'string', value: strings.map((v) => v.value).join('') } : undefined;
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const locators = locatorsOf(node, ctx, members);
      return locators.length ? { kind: 'locators', locators } : undefined;
    }
    default:
      return undefined;
  }
}

function stringArg(n: JsNode | undefined, ctx: Context, members: Members): string | undefined {
  const v = evaluate(n, ctx, members);
  return v?.kind === 'string' ? v.value : undefined;
}

/** The locators a chain points at, nearest first (`cy.get('form').find('#email')` → `#email`, `form`). */
function locatorsOf(start: JsNode | undefined, ctx: Context, members: Members): Locator[] {
  const out: Locator[] = [];
  // `getByRole('combobox').filter({ hasText: 'Project' })`: the text names a role left unnamed.
  let hasText: string | undefined;
  let node = unwrap(start);
  while (node) {
    if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
      const callee = unwrap(node.callee as JsNode);
      if (!callee || (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression')) {
        // `$('#email')` (WebdriverIO)
        if (callee?.type === 'Identifier' && callee.name === '$') {
          const arg = (node.arguments as JsNode[])[0];
          const text = stringArg(arg, ctx, members);
          if (text !== undefined) out.push({ kind: 'css', text });
          else {
            // `$(AddressPage.Line1())`: a generated page module's selector, named by its method.
            const named = memberName(arg);
            if (named) out.push({ kind: 'identifier', text: named });
          }
        }
        break;
      }
      const method = propName(callee);
      const args = node.arguments as JsNode[];
      if (method && method in LOCATOR_KIND) {
        const kind = LOCATOR_KIND[method] as LocatorKind;
        const first = stringArg(args[0], ctx, members);
        if (/Role$/.test(method)) {
          const options = evaluate(args[1], ctx, members);
          const label = options?.kind === 'object' ? options.props.get('name') : undefined;
          const named = label?.kind === 'string' ? label.value : hasText;
          if (first && FIELD_ROLES.test(first) && named !== undefined) out.push({ kind, text: named, role: first });
          else if (first && !FIELD_ROLES.test(first)) return [];
        } else if (first !== undefined) out.push({ kind, text: first });
      } else if (method === 'filter' && out.length === 0) {
        const options = evaluate(args[0], ctx, members);
        const text = options?.kind === 'object' ? options.props.get('hasText') : undefined;
        if (text?.kind === 'string') hasText = text.value;
      } else if (!method || !PASS_THROUGH.has(method)) {
        // `registrationPage.givenNameInput().fill(v)`: a page object's element, named by its method.
        if (out.length === 0 && method && ELEMENT_METHOD.test(method)) out.push({ kind: 'identifier', text: method });
        break;
      }
      node = unwrap(callee.object as JsNode);
      continue;
    }
    const v = evaluate(node, ctx, members);
    if (v?.kind === 'locators') out.push(...v.locators);
    break;
  }
  return out;
}

/** `{ firstName: 'Ann', email }` written in a call: each key whose value is not itself a record. */
function objectFields(node: JsNode, ctx: Context, members: Members): { name: string; value?: string; expr: string }[] | undefined {
  if (node.type !== 'ObjectExpression') return undefined;
  const out: { name: string; value?: string; expr: string }[] = [];
  for (const p of node.properties as JsNode[]) {
    const key = p.key as JsNode | undefined;
    const name = key?.type === 'Identifier' ? (key.name as string) : key?.type === 'StringLiteral' ? (key.value as string) : undefined;
    const inner = unwrap(p.value as JsNode | undefined);
    if (p.type !== 'ObjectProperty' || !name || !inner || /Object|Array|Function/.test(inner.type)) continue;
    const v = evaluate(inner, ctx, members);
    out.push({ name, value: v?.kind === 'string' ? v.value : undefined, expr: String(inner.name ?? name) });
  }
  return out;
}

/** Interactions and assertions of a Cypress or Playwright spec. */
export function analyzeJs(content: string, fileName?: string): CodeFacts {
  const ast = parseJs(content, fileName);
  const interactions: Interaction[] = [];
  const assertions: Assertion[] = [];
  const members: Members = new Map();
  // Clicks that open a list, each with the pick that follows it in the same block.
  const opened = new Map<JsNode, JsNode>();
  // Page-object calls, and the class of each variable made with `new` (`const login = new LoginPage(page)`).
  const pageCalls: PageCall[] = [];
  const types = new Map<string, string>();
  // What a class's methods are called with from its other methods (`this.addTitle(title)`), by method.
  const forwarded = new Map<string, (Value | undefined)[]>();

  const visit = (node: JsNode, ctx: Context): void => {
    let inner = ctx;
    if (node.type === 'Program' || node.type === 'BlockStatement') inner = { ...ctx, scopes: [...ctx.scopes, new Map()] };
    if (node.type === 'BlockStatement') for (const [click, pick] of clicksFollowedByPick(node)) opened.set(click, pick);
    // `async function signUp(page, email = 'ann@x.io')`, a class method's `level = 'High'`: a default is the
    // value when the caller gives none.
    if (/Function|Method/.test(node.type) && Array.isArray(node.params)) {
      const defaults = new Map<string, Value>();
      // `this.selectType(type)` earlier in the class: what the caller passed, over the default.
      const key = node.type === 'ClassMethod' ? (node.key as JsNode | undefined) : undefined;
      const passed = key?.type === 'Identifier' ? forwarded.get(key.name as string) : undefined;
      (node.params as JsNode[]).forEach((p, i) => {
        const left = p.type === 'AssignmentPattern' ? (p.left as JsNode) : p;
        const v = passed?.[i] ?? (p.type === 'AssignmentPattern' ? evaluate(p.right as JsNode, ctx, members) : undefined);
        if (left?.type === 'Identifier' && v) defaults.set(left.name as string, v);
      });
      if (defaults.size) inner = { ...inner, scopes: [...inner.scopes, defaults] };
    }

    if (node.type === 'VariableDeclarator' || node.type === 'AssignmentExpression') {
      const target = unwrap((node.id ?? node.left) as JsNode);
      const created = unwrap((node.init ?? node.right) as JsNode | undefined);
      const name = target?.type === 'Identifier' ? (target.name as string) : target && /Member/.test(target.type) ? propName(target) : undefined;
      const cls = created?.type === 'NewExpression' ? unwrap(created.callee as JsNode) : undefined;
      if (name && cls?.type === 'Identifier') types.set(name, cls.name as string);
    }
    if (node.type === 'VariableDeclarator') {
      const id = node.id as JsNode;
      const v = evaluate(node.init as JsNode | undefined, ctx, members);
      if (id.type === 'Identifier' && v) ctx.scopes[ctx.scopes.length - 1]?.set(id.name as string, v);
      // `const { email, password } = credentials`
      if (id.type === 'ObjectPattern' && v?.kind === 'object') {
        for (const p of id.properties as JsNode[]) {
          const key = p.key as JsNode | undefined;
          const local = p.value as JsNode | undefined;
          const prop = key?.type === 'Identifier' ? (key.name as string) : undefined;
          const pv = prop ? v.props.get(prop) : undefined;
          if (pv && local?.type === 'Identifier') ctx.scopes[ctx.scopes.length - 1]?.set(local.name as string, pv);
        }
      }
    }
    if (node.type === 'AssignmentExpression' || node.type === 'ClassProperty' || node.type === 'PropertyDefinition') {
      // `this.email = page.getByLabel('Email')`, `readonly email = this.page.locator('#email')`
      const target = (node.left ?? node.key) as JsNode | undefined;
      const name = target?.type === 'Identifier' ? (target.name as string) : target && /Member/.test(target.type) ? propName(target) : undefined;
      const v = evaluate((node.right ?? node.value) as JsNode | undefined, ctx, members);
      if (name && v) members.set(name, v);
    }

    if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
      const args = node.arguments as JsNode[];
      const { base, method } = calleeName(node.callee as JsNode);
      const fn =
        method && base && (TEST.has(base) || SUITE.has(base))
          ? method === 'describe' || HOOKS.has(method)
            ? method
            : base
          : base && !method
            ? base
            : undefined;
      if (fn && (SUITE.has(fn) || TEST.has(fn))) {
        const title = stringArg(args[0], ctx, members) ?? '';
        inner = { ...inner, titles: [title, ...ctx.titles] };
        if (TEST.has(fn)) inner.row = `${title}@${lineOf(node)}`;
      } else if (fn && HOOKS.has(fn)) inner = { ...inner, row: `${fn}@${lineOf(node)}` };

      const callee = unwrap(node.callee as JsNode);
      if (method && callee && /Member/.test(callee.type) && unwrap(callee.object as JsNode)?.type === 'ThisExpression' && !forwarded.has(method)) {
        forwarded.set(
          method,
          args.map((a) => evaluate(a, ctx, members)),
        );
      }
      if (method && callee && /Member/.test(callee.type)) {
        const object = unwrap(callee.object as JsNode);
        // The variable a page object is kept in: `loginPage`, `this.loginPage`.
        const receiver =
          object?.type === 'Identifier'
            ? (object.name as string)
            : object && /Member/.test(object.type) && unwrap(object.object as JsNode)?.type === 'ThisExpression'
              ? propName(object)
              : undefined;
        if (method in ACTIONS) {
          const locators = locatorsOf(object, ctx, members);
          // `page.fill(selector, value)`: the selector is the first argument.
          // Also inside a chain: `t.click(a).typeText('#name', v)` (TestCafe), `.setValue('#name', v)` (Nightwatch).
          const direct =
            locators.length === 0 &&
            args.length >= (method === 'check' ? 1 : 2) &&
            (object?.type !== 'CallExpression' || stringArg(args[0], ctx, members) !== undefined);
          const selector = direct ? stringArg(args[0], ctx, members) : undefined;
          const valueNode = direct ? args[1] : args[0];
          if (locators.length || selector !== undefined) {
            // `selectByIndex(2)`: a position, not a value of the field.
            const v = method === 'selectByIndex' ? undefined : evaluate(valueNode, ctx, members);
            const values = v?.kind === 'list' ? v.items : v?.kind === 'string' ? [v.value] : [undefined];
            for (const raw of values) {
              const value = raw === undefined ? undefined : base === 'cy' || !direct ? raw.replace(/\{(?:[a-z]+|\{)\}/gi, '') : raw;
              interactions.push({
                locators: selector !== undefined ? [{ kind: 'css', text: selector }] : locators,
                value: ACTIONS[method] === 'check' && value === undefined ? undefined : value,
                valueExpr:
                  valueNode && v === undefined && method !== 'selectByIndex' ? content.slice(valueNode.start as number, valueNode.end as number) : undefined,
                action: ACTIONS[method] as Interaction['action'],
                line: lineOf(node),
                row: ctx.row,
                titles: ctx.titles,
              });
            }
          }
        } else if (method === 'click' && opened.has(node)) {
          // `projectDropdown.click()` then `page.getByText(project).click()`: a custom dropdown's pick.
          const locators = locatorsOf(object, ctx, members);
          const name = elementName(object);
          if (locators.some((l) => l.role && DROPDOWN_ROLES.test(l.role)) || (name && DROPDOWN_NAME.test(name))) {
            const value = optionNodes(opened.get(node) as JsNode)
              .map((o) => {
                if (o.text) return stringArg(o.text, ctx, members);
                const options = evaluate(o.options, ctx, members);
                const v = options?.kind === 'object' ? (options.props.get('name') ?? options.props.get('hasText')) : undefined;
                return v?.kind === 'string' ? v.value : undefined;
              })
              .find((v) => v !== undefined);
            interactions.push({
              locators: locators.length ? locators : [{ kind: 'identifier', text: name as string }],
              value,
              action: 'select',
              line: lineOf(node),
              row: ctx.row,
              titles: ctx.titles,
            });
          }
        } else if ((method === 'should' || method === 'and') && /contain|have\.text|include\.text/.test(stringArg(args[0], ctx, members) ?? '')) {
          const message = stringArg(args[1], ctx, members);
          if (message) assertions.push({ locators: locatorsOf(object, ctx, members), message, line: lineOf(node), titles: ctx.titles });
        } else if (/^(?:toHaveText|toContainText)$/.test(method) && object?.type === 'CallExpression') {
          const message = stringArg(args[0], ctx, members);
          const subject = (object.arguments as JsNode[])[0];
          if (message) assertions.push({ locators: locatorsOf(subject, ctx, members), message, line: lineOf(node), titles: ctx.titles });
        } else if (/^(?:contains|getByText|findByText)$/.test(method)) {
          const message = stringArg(args[args.length - 1], ctx, members);
          if (message) assertions.push({ locators: [], message, line: lineOf(node), titles: ctx.titles });
        } else if (base === 'cy' && LOGIN_COMMAND.test(method) && args.length >= 2) {
          // `cy.login(user.username, 's3cret')`: a user name (or email) and a password.
          args.slice(0, 2).forEach((arg, i) => {
            const value = stringArg(arg, ctx, members);
            const name = i === 1 ? 'password' : value?.includes('@') ? 'email' : 'username';
            interactions.push({ locators: [{ kind: 'identifier', text: name }], value, action: 'fill', line: lineOf(node), row: ctx.row, titles: ctx.titles });
          });
        } else if (receiver && !(method in LOCATOR_KIND) && !PASS_THROUGH.has(method)) {
          // `reportIncidentPage.reportIncident(title, description)`, `loginPage.login('ann', 's3cret')`:
          // a page object's form method; page-calls.ts names the fields its arguments fill.
          pageCalls.push({
            receiver,
            receiverType: types.get(receiver),
            method,
            args: args.map((arg) => {
              const a = unwrap(arg);
              const v = evaluate(a, ctx, members);
              const name = a?.type === 'Identifier' ? (a.name as string) : a && /Member/.test(a.type) ? propName(a) : undefined;
              const value = v?.kind === 'string' ? v.value : v?.kind === 'list' ? v.items[0] : undefined;
              return { name, value, expr: a ? content.slice(a.start as number, a.end as number) : '', fields: a ? objectFields(a, ctx, members) : undefined };
            }),
            line: lineOf(node),
            row: ctx.row,
            titles: ctx.titles,
          });
        }
      }
    }

    for (const [key, child] of Object.entries(node)) {
      if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
      if (Array.isArray(child)) {
        for (const c of child) if (isNode(c)) visit(c, inner);
      } else if (isNode(child)) visit(child, inner);
    }
  };
  visit(ast, { scopes: [new Map()], titles: [], row: 'file' });
  interactions.push(...pageCallInteractions(pageCalls));
  return { interactions, assertions };
}
