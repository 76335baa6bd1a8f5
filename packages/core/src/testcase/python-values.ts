/**
 * The values a Python test module's expressions hold, as far as the module itself tells: strings,
 * f-strings with literal parts, constants and class attributes, `(By.ID, "email")` tuples and the
 * locators a call chain points at (`driver.find_element(By.ID, "x")`, `page.get_by_label("Email")`).
 */
import type { Node } from 'web-tree-sitter';
import type { Locator, LocatorKind } from './code.ts';
import { BY_KIND, FIELD_ROLES, PASS_THROUGH, PLAYWRIGHT_LOCATORS } from './python-vocab.ts';

export type Value = { kind: 'string'; value: string } | { kind: 'locators'; locators: Locator[] };

export interface Scope {
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

export function evaluate(node: Node | undefined | null, scope: Scope): Value | undefined {
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

export function argsOf(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
}

/** The locators a call chain points at (`driver.find_element(By.ID, "x")`, `Select(el)`, a known element). */
export function locatorsOf(start: Node | null | undefined, scope: Scope): Locator[] {
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
