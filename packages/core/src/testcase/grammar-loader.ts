/**
 * Loads a tree-sitter grammar shipped as a `.wasm` file inside an npm package (no native build, no
 * download) into a `web-tree-sitter` parser.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Language, type Node, Parser } from 'web-tree-sitter';
import { InvalidInputError } from '../errors.ts';

let initialised: Promise<void> | undefined;

/** A parser for the grammar in `wasmModule` (`tree-sitter-ruby/tree-sitter-ruby.wasm`). */
export async function loadGrammar(wasmModule: string): Promise<Parser> {
  initialised ??= Parser.init();
  await initialised;
  const wasm = createRequire(import.meta.url).resolve(wasmModule);
  const language = await Language.load(new Uint8Array(await readFile(wasm)));
  return new Parser().setLanguage(language);
}

/** Throws `InvalidInputError` at the first syntax error of a tree, with its line. */
export function assertParsed(root: Node, language: string, fileName?: string): void {
  if (!root.hasError) return;
  const bad = root.descendantsOfType('ERROR')[0] ?? findMissing(root);
  const line = (bad?.startPosition.row ?? 0) + 1;
  throw new InvalidInputError(
    `malformed ${language}${fileName ? ` in ${fileName}` : ''} at line ${line}: unexpected ${JSON.stringify(bad?.text.slice(0, 40) ?? '')}`,
    {
      line,
      column: (bad?.startPosition.column ?? 0) + 1,
      fileName,
    },
  );
}

function findMissing(node: Node): Node | undefined {
  if (node.isMissing) return node;
  for (const c of node.namedChildren) {
    const m = c?.hasError ? findMissing(c) : undefined;
    if (m) return m;
  }
  return undefined;
}

/** The named children of a node, without comments. */
export function named(node: Node | null | undefined): Node[] {
  return (node?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
}
