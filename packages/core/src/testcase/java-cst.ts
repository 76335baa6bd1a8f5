/**
 * The java-parser side of selenium-java.ts: parsing Java into a concrete syntax tree and the small
 * readers of it (tokens and children in source order, finding a node, string literals, a `primary`
 * as a chain of names and calls).
 */
import { type CstNode, type IToken, parse } from 'java-parser';
import { InvalidInputError } from '../errors.ts';

export const isToken = (x: CstNode | IToken): x is IToken => (x as IToken).image !== undefined;

/** Every token under a node, in source order. */
export function tokensOf(node: CstNode | IToken): IToken[] {
  if (isToken(node)) return [node];
  const out: IToken[] = [];
  for (const list of Object.values(node.children)) for (const c of list ?? []) out.push(...tokensOf(c as CstNode | IToken));
  return out.sort((a, b) => a.startOffset - b.startOffset);
}

/** Child nodes in source order. */
export function childrenOf(node: CstNode): (CstNode | IToken)[] {
  const out: (CstNode | IToken)[] = [];
  for (const list of Object.values(node.children)) for (const c of list ?? []) out.push(c as CstNode | IToken);
  return out.sort((a, b) => startOf(a) - startOf(b));
}

export function startOf(x: CstNode | IToken): number {
  return isToken(x) ? x.startOffset : (x.location?.startOffset ?? Number.MAX_SAFE_INTEGER);
}

export function find(node: CstNode, name: string): CstNode | undefined {
  for (const c of childrenOf(node)) {
    if (isToken(c)) continue;
    if (c.name === name) return c;
    const inner = find(c, name);
    if (inner) return inner;
  }
  return undefined;
}

export function unquote(image: string): string {
  if (image.startsWith('"""')) {
    const body = image.slice(3, -3).replace(/^[^\n]*\n/, '');
    const indent = Math.min(
      ...body
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => /^\s*/.exec(l)?.[0].length ?? 0),
    );
    return body
      .split('\n')
      .map((l) => l.slice(Number.isFinite(indent) ? indent : 0))
      .join('\n');
  }
  return image.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

/** One segment of a call chain: `driver`, `.findElement(args)`, `.sendKeys(args)`. */
export interface Segment {
  name: string;
  args?: CstNode[];
  line: number;
}

/** A `primary` (prefix and suffixes) as a chain of names and calls. */
export function chainOf(primary: CstNode): Segment[] | undefined {
  const out: Segment[] = [];
  for (const part of childrenOf(primary)) {
    if (isToken(part)) return undefined;
    if (part.name === 'primaryPrefix') {
      const fqn = find(part, 'fqnOrRefType');
      // Contextual keywords are names too (`login.with(…)`, `record`, `module`).
      const tokens = fqn ? tokensOf(fqn).filter((t) => t.tokenType.name === 'Identifier' || /^[A-Za-z_$][\w$]*$/.test(t.image)) : [];
      // `new Select(driver.findElement(…))`
      const creation = find(part, 'newExpression');
      if (creation) {
        const args = find(creation, 'argumentList');
        const type = tokensOf(creation).find((t) => t.tokenType.name === 'Identifier');
        out.push({ name: `new ${type?.image ?? ''}`, args: args ? argsOf(args) : [], line: type?.startLine ?? 1 });
        continue;
      }
      if (!fqn) return undefined;
      for (const t of tokens) out.push({ name: t.image, line: t.startLine ?? 1 });
    } else if (part.name === 'primarySuffix') {
      const call = part.children.methodInvocationSuffix?.[0] as CstNode | undefined;
      if (call) {
        const last = out[out.length - 1];
        if (!last) return undefined;
        const list = call.children.argumentList?.[0] as CstNode | undefined;
        last.args = list ? argsOf(list) : [];
        continue;
      }
      const ident = (part.children.Identifier?.[0] as IToken | undefined) ?? undefined;
      if (ident) out.push({ name: ident.image, line: ident.startLine ?? 1 });
      else return undefined;
    }
  }
  return out;
}

export function argsOf(list: CstNode): CstNode[] {
  return (list.children.expression ?? []) as CstNode[];
}

/** The single `primary` an expression is, if it is one (no operators, no ternary). */
export function primaryOf(expression: CstNode): CstNode | undefined {
  const binary = find(expression, 'binaryExpression');
  if (!binary) return undefined;
  const unary = (binary.children.unaryExpression ?? []) as CstNode[];
  if (unary.length !== 1 || Object.keys(binary.children).some((k) => k !== 'unaryExpression')) return undefined;
  const u = unary[0] as CstNode;
  return (u.children.primary?.[0] as CstNode | undefined) ?? undefined;
}

export function parseJava(content: string, fileName?: string): CstNode {
  try {
    return parse(content);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /line:\s*(\d+),\s*column:\s*(\d+)/.exec(message);
    const line = at ? Number(at[1]) : undefined;
    throw new InvalidInputError(
      `malformed Java${fileName ? ` in ${fileName}` : ''}${line ? ` at line ${line}` : ''}: ${message.split('\n').slice(1, 3).join(' ').trim()}`,
      {
        line,
        column: at ? Number(at[2]) : undefined,
        fileName,
      },
    );
  }
}
