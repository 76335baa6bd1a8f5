/**
 * Imported first by the entry points of the API server and of `tdm worker`: WebAssembly flags that
 * must be set before Prisma or PGlite compiles a module.
 *
 * Tiering budget. V8 compiles WebAssembly with its baseline compiler (Liftoff) and re-compiles a
 * function with its optimising one (TurboFan) once it has run for a budget. At the default budget the
 * start-up alone — Prisma's query compiler answering the first queries, an embedded PGlite opening —
 * tiers up thousands of functions whose optimised code (and the compiler's memory) then stays: ≈ 45 MB
 * for Prisma, ≈ 45 MB for a PGlite. A budget 100 times larger keeps start-up on baseline code; what a
 * long job runs hot is still optimised after a moment.
 *
 * Compilation tasks. V8 compiles WebAssembly on up to 128 background tasks, and the native memory of
 * those compilations is not handed back to the system afterwards: a PGlite answering its first catalog
 * queries left ≈ 30 MB more resident with the default than with one task. One task is enough for a
 * module compiled lazily, function by function, as it runs.
 */
import { setFlagsFromString } from 'node:v8';

export const WASM_TIERING_BUDGET = 180_000_000;
export const WASM_COMPILATION_TASKS = 1;

/** Only where nobody chose a value (NODE_OPTIONS / command line win). */
function setUnlessChosen(flag: string, value: number): void {
  const chosen = process.execArgv.some((a) => a.startsWith(flag)) || process.env.NODE_OPTIONS?.includes(flag);
  if (!chosen) setFlagsFromString(`${flag}=${value}`);
}

setUnlessChosen('--wasm-tiering-budget', WASM_TIERING_BUDGET);
setUnlessChosen('--wasm-num-compilation-tasks', WASM_COMPILATION_TASKS);
