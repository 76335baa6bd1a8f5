/**
 * `collectGarbage()`: two full garbage collections, now. A closed PGlite instance keeps its ~200 MB of
 * WebAssembly memory until V8 collects it, which an idle process may never do; a server that opened
 * embedded databases at start (seeding the demo source, checking the default target) calls this once
 * so that it idles at its real size.
 *
 * `limitHeapGrowth(percent)`: after each full collection, V8 lets the heap grow to up to four times
 * what it found live before it collects again. A dataset step keeps little alive (a row group, a
 * batch) but makes a lot of short-lived garbage that outlives the young generation (every row of a
 * row group waits there for the group's flush), so the process would sit at several times its live
 * size. A fixed factor of 1 + percent/100 keeps the heap near its live size; the collections it adds
 * are short, because little is live.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function collectGarbage(): void {
  // The flag only exposes `gc` to contexts created after it is set: a new one gives the function.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

let heapGrowthSet: number | null = null;

/** Sets V8's heap growing factor to 1 + percent/100 for this process (0: V8's own factor). */
export function limitHeapGrowth(percent: number): void {
  const value = Math.max(0, Math.round(percent));
  if (heapGrowthSet === value) return;
  // Read by V8 each time it sets the next collection's limit, so it applies from the next full collection on.
  setFlagsFromString(`--heap-growing-percent=${value}`);
  heapGrowthSet = value;
}
