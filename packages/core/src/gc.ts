/**
 * `collectGarbage()`: two full garbage collections, now. A closed PGlite instance keeps its ~200 MB of
 * WebAssembly memory until V8 collects it, which an idle process may never do; a server that opened
 * embedded databases at start (seeding the demo source, checking the default target) calls this once
 * so that it idles at its real size.
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
