/**
 * The Babel side of js.ts: parsing JavaScript/TypeScript (with or without JSX) into an AST, and the
 * small readers of its nodes (unwrapping `await`/casts, property names, callee names).
 */
import { parse } from '@babel/parser';
import { InvalidInputError } from '../errors.ts';

/** The parts of a Babel node this module reads; everything else is walked generically. */
export interface JsNode {
  type: string;
  loc?: { start: { line: number } } | null;
  [key: string]: unknown;
}

export function parseJs(content: string, fileName?: string): JsNode {
  const name = fileName?.toLowerCase() ?? '';
  const attempts: ('typescript' | 'jsx')[][] =
    name.endsWith('.ts') || name.endsWith('.mts') || name.endsWith('.cts')
      ? [['typescript'], ['typescript', 'jsx']]
      : name.endsWith('.tsx')
        ? [['typescript', 'jsx']]
        : /\.[cm]?jsx?$/.test(name)
          ? [['jsx'], ['typescript', 'jsx']]
          : [['typescript', 'jsx'], ['typescript'], ['jsx']];
  let first: unknown;
  for (const plugins of attempts) {
    try {
      return parse(content, { sourceType: 'unambiguous', plugins, allowReturnOutsideFunction: true }) as unknown as JsNode;
    } catch (e) {
      first ??= e;
    }
  }
  const loc = (first as { loc?: { line?: number; column?: number } }).loc;
  const message = first instanceof Error ? first.message.replace(/\s*\(\d+:\d+\)$/, '') : String(first);
  throw new InvalidInputError(`malformed JavaScript/TypeScript${fileName ? ` in ${fileName}` : ''}${loc?.line ? ` at line ${loc.line}` : ''}: ${message}`, {
    line: loc?.line,
    column: loc?.column,
    fileName,
  });
}

export const isNode = (v: unknown): v is JsNode => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
export const lineOf = (n: JsNode) => n.loc?.start.line ?? 1;

export function unwrap(n: JsNode | undefined): JsNode | undefined {
  let node = n;
  while (node && /^(?:TSAsExpression|TSNonNullExpression|TSSatisfiesExpression|TSTypeAssertion|AwaitExpression|ParenthesizedExpression)$/.test(node.type)) {
    node = (node.expression ?? node.argument) as JsNode | undefined;
  }
  return node;
}

export function propName(member: JsNode): string | undefined {
  const p = member.property as JsNode | undefined;
  if (!p) return undefined;
  if (!member.computed && p.type === 'Identifier') return p.name as string;
  if (p.type === 'StringLiteral') return p.value as string;
  return undefined;
}

/** The last property of `Page.firstName()` or `Page.firstName`: a page object's name for an element. */
export function memberName(n: JsNode | undefined): string | undefined {
  const node = unwrap(n);
  if (!node) return undefined;
  if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') return memberName(node.callee as JsNode);
  if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') return propName(node);
  return undefined;
}

export function calleeName(callee: JsNode | undefined): { base?: string; method?: string } {
  const c = unwrap(callee);
  if (!c) return {};
  if (c.type === 'Identifier') return { base: c.name as string };
  if (c.type === 'MemberExpression' || c.type === 'OptionalMemberExpression') {
    const object = unwrap(c.object as JsNode);
    return { base: object?.type === 'Identifier' ? (object.name as string) : undefined, method: propName(c) };
  }
  return {};
}
