/**
 * Custom dropdowns in Playwright, Cypress and WebdriverIO code: a combobox (or an element a page
 * object keeps as `…Dropdown`, `…Select`, `…Picker`) is clicked open and then, later in the same
 * block, an option is clicked or ticked. That pair picks a value for the dropdown's field although no
 * `selectOption` is called. This module finds the pairs; js.ts names the field and its value.
 */
import { isNode, type JsNode, propName, unwrap } from './js-ast.ts';

// A page object's name for an element that opens a list of options.
export const DROPDOWN_NAME = /(?:Dropdown|DropDown|Select|Combobox|ComboBox|Picker|Autocomplete|Listbox|ListBox)$/;
// ARIA roles of an element that opens a list of options.
export const DROPDOWN_ROLES = /^(?:combobox|listbox)$/;
// Calls that pick an option once the list is open.
const PICKS = new Set(['click', 'check', 'selectOption', 'press', 'tap', 'dblclick']);

function methodOf(call: JsNode): string | undefined {
  const callee = unwrap(call.callee as JsNode);
  return callee && /Member/.test(callee.type) ? propName(callee) : undefined;
}

const isCall = (n: JsNode | undefined): n is JsNode => !!n && (n.type === 'CallExpression' || n.type === 'OptionalCallExpression');

/** The first picking call inside a node, in source order. */
function firstPick(node: JsNode): JsNode | undefined {
  let found: JsNode | undefined;
  const walk = (n: JsNode) => {
    if (found) return;
    for (const [key, child] of Object.entries(n)) {
      if (key === 'loc' || /Comments$/.test(key)) continue;
      for (const c of Array.isArray(child) ? child : [child]) if (isNode(c)) walk(c);
      if (found) return;
    }
    // Inner calls first: `a.click().then(() => b.click())` picks with the outer one only after.
    if (isCall(n) && PICKS.has(methodOf(n) ?? '')) found ??= n;
  };
  walk(node);
  return found;
}

/**
 * In a block's statements, each `x.click()` statement followed by a later picking call: the click
 * and the pick after it. Whether `x` is a dropdown is for the caller to decide.
 */
export function clicksFollowedByPick(block: JsNode): Map<JsNode, JsNode> {
  const out = new Map<JsNode, JsNode>();
  const statements = ((block.body as JsNode[] | undefined) ?? []).filter(isNode);
  statements.forEach((s, i) => {
    const call = s.type === 'ExpressionStatement' ? unwrap(s.expression as JsNode) : undefined;
    if (!isCall(call) || methodOf(call) !== 'click') return;
    for (const later of statements.slice(i + 1)) {
      const pick = firstPick(later);
      if (pick) {
        out.set(call, pick);
        return;
      }
    }
  });
  return out;
}

/** The name the code gives an element: `this.typeDropdown` → `typeDropdown`, `countrySelect()` → `countrySelect`. */
export function elementName(n: JsNode | undefined): string | undefined {
  const node = unwrap(n);
  if (!node) return undefined;
  if (node.type === 'Identifier') return node.name as string;
  if (/Member/.test(node.type)) return propName(node);
  if (isCall(node)) {
    const callee = unwrap(node.callee as JsNode);
    return callee?.type === 'Identifier' ? (callee.name as string) : callee && /Member/.test(callee.type) ? propName(callee) : undefined;
  }
  return undefined;
}

/** The option's visible text a pick points at: `getByText(x)`, `getByRole('option', { name: x })`, `filter({ hasText: x })`. */
export function optionNodes(pick: JsNode): { text?: JsNode; options?: JsNode }[] {
  const out: { text?: JsNode; options?: JsNode }[] = [];
  let node = unwrap((unwrap(pick.callee as JsNode)?.object as JsNode | undefined) ?? undefined);
  while (isCall(node)) {
    const method = methodOf(node);
    const args = (node.arguments as JsNode[]) ?? [];
    // `getByText(x, { exact: true })`; Cypress's `contains(selector, x)` names the text last.
    if (method === 'getByText' || method === 'getByLabel') out.push({ text: args[0] });
    else if (method === 'contains') out.push({ text: args[args.length - 1] });
    else if (method === 'getByRole') out.push({ options: args[1] });
    else if (method === 'filter') out.push({ options: args[0] });
    const callee = unwrap(node.callee as JsNode);
    node = callee && /Member/.test(callee.type) ? unwrap(callee.object as JsNode) : undefined;
  }
  return out;
}
