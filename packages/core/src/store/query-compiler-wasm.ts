/**
 * Prisma's query compiler (WebAssembly, 3.4 MB) as the metadata store's client loads it. The client
 * `prisma generate` writes imports it from a module whose only export is the module's bytes as base64
 * text: V8 keeps both the module's source and its string constant for the life of the process (2 ×
 * 4.6 MB of an idle server's heap). `scripts/query-compiler-from-file.mjs`, run after
 * `prisma generate`, points the generated client here instead: the same file is read as bytes and
 * decoded, and only the compiled module stays.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The one WebAssembly API used here (the project's libraries do not include the DOM's WebAssembly types). */
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };

const QUOTE = 0x22;

/** The WebAssembly module of a `query_compiler_*.wasm-base64.mjs` of `@prisma/client`. */
export async function loadQueryCompilerModule(specifier: string): Promise<object> {
  const file = createRequire(import.meta.url).resolve(specifier);
  const source = await readFile(file);
  // `const wasm = "<base64>"; export { wasm }`
  const start = source.indexOf(QUOTE) + 1;
  const end = source.indexOf(QUOTE, start);
  if (start === 0 || end < 0) throw new Error(`no base64 string constant in ${file}`);
  return new WebAssembly.Module(Buffer.from(source.toString('latin1', start, end), 'base64'));
}
