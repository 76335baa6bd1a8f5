/**
 * Imported first by the entry points of the API server and of `tdm worker`. V8 compiles WebAssembly with its baseline compiler
 * (Liftoff) and re-compiles a function with its optimising one (TurboFan) once it has run for a budget.
 * At the default budget the start-up alone — Prisma's query compiler answering the first queries, an
 * embedded PGlite opening — tiers up thousands of functions whose optimised code (and the compiler's
 * memory) then stays: ≈ 45 MB for Prisma, ≈ 45 MB for a PGlite. A budget 100 times larger keeps start-up
 * on baseline code; what a long job runs hot is still optimised after a moment.
 */
import { setFlagsFromString } from 'node:v8';

export const WASM_TIERING_BUDGET = 180_000_000;

// Only where nobody chose a budget (NODE_OPTIONS / command line win).
if (!process.execArgv.some((a) => a.startsWith('--wasm-tiering-budget')) && !process.env.NODE_OPTIONS?.includes('--wasm-tiering-budget')) {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}
