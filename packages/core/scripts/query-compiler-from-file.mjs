// Run after `prisma generate` (the `generate` script of @tdm/core): the generated client loads Prisma's
// query compiler through `src/store/query-compiler-wasm.ts` (read from its file, decoded, compiled)
// instead of importing it as a base64 string that stays in memory for the life of the process.
import { readFileSync, writeFileSync } from 'node:fs';

const FILE = new URL('../src/generated/prisma/internal/class.ts', import.meta.url);
const LOADER = '../../../store/query-compiler-wasm.ts';
const GENERATED =
  /const \{ wasm \} = await import\(("@prisma\/client\/runtime\/query_compiler_[\w.]+\.wasm-base64\.mjs")\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;

const source = readFileSync(FILE, 'utf8');
if (source.includes(LOADER)) process.exit(0);
const match = GENERATED.exec(source);
if (!match) {
  console.error(`query-compiler-from-file: the generated client (${FILE.pathname}) no longer imports its query compiler as expected`);
  process.exit(1);
}
const [found, specifier, indent] = match;
const replacement = `const { loadQueryCompilerModule } = await import(${JSON.stringify(LOADER)})\n${indent}return await loadQueryCompilerModule(${specifier})`;
writeFileSync(FILE, source.replace(found, replacement));
