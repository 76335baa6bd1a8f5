/**
 * The values a JavaScript or TypeScript spec's expressions hold, as far as the file itself tells:
 * literals, constants, object properties, template literals and the locators a chain points at
 * (`cy.get('form').find('#email')`, `page.getByLabel('Email')`, page-object properties).
 */
import { type JsNode, memberName, propName, unwrap } from './js-ast.ts';
import type { Locator, LocatorKind } from './code.ts';
import { ELEMENT_METHOD, FIELD_ROLES, LOCATOR_KIND, PASS_THROUGH } from './js-vocab.ts';

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'object'; props: Map<string, Value> }
  | { kind: 'list'; items: string[] }
  | { kind: 'locators'; locators: Locator[] };

export interface Context {
  scopes: Map<string, Value>[];
  titles: string[];
  row: string;
}

/** Static properties of `this.x = …` anywhere in the file (page objects), by property name. */
export type Members = Map<string, Value>;

function lookup(name: string, ctx: Context): Value | undefined {
  for (let i = ctx.scopes.length - 1; i >= 0; i--) {
    const v = ctx.scopes[i]?.get(name);
    if (v) return v;
  }
  return undefined;
}

export function evaluate(n: JsNode | undefined, ctx: Context, members: Members): Value | undefined {
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

export function stringArg(n: JsNode | undefined, ctx: Context, members: Members): string | undefined {
  const v = evaluate(n, ctx, members);
  return v?.kind === 'string' ? v.value : undefined;
}

/** The locators a chain points at, nearest first (`cy.get('form').find('#email')` → `#email`, `form`). */
export function locatorsOf(start: JsNode | undefined, ctx: Context, members: Members): Locator[] {
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
export function objectFields(node: JsNode, ctx: Context, members: Members): { name: string; value?: string; expr: string }[] | undefined {
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
