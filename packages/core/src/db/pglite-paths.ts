/**
 * Where embedded databases may live. PGlite creates its directory on open, so a `pglite://<dir>`
 * given through the API could create (or read) a database anywhere the server can write. Such a
 * directory must lie inside `TDM_DATA_DIR` or a root of `TDM_PGLITE_ROOTS`, and never in TDM's
 * dataset store. Symbolic links are resolved before judging, so a link inside a root cannot lead out.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PathNotAllowedError } from '../errors.ts';

export interface PglitePathPolicy {
  /** Directories whose subdirectories may hold embedded databases. */
  roots: string[];
  /** Directories no connection may open, nor anything inside them (the dataset store). */
  reserved: string[];
}

/**
 * Throws `PathNotAllowedError` unless `dataDir` (a `pglite://` directory, relative to the working
 * directory like PGlite reads it) lies strictly inside one of `policy.roots` and outside every
 * reserved directory. A path with a `..` segment is refused whatever it resolves to.
 */
export function assertPglitePathAllowed(dataDir: string, policy: PglitePathPolicy): void {
  const shown = JSON.stringify(dataDir);
  const hint = 'embedded databases live under TDM_DATA_DIR or a directory listed in TDM_PGLITE_ROOTS';
  if (dataDir.split(/[\\/]/).includes('..')) {
    throw new PathNotAllowedError(`pglite directory ${shown} may not contain ".." (${hint})`, { path: dataDir });
  }
  const real = realPath(dataDir);
  if (policy.reserved.some((r) => isWithin(real, realPath(r), true))) {
    throw new PathNotAllowedError(`pglite directory ${shown} is TDM's dataset store`, { path: dataDir });
  }
  if (!policy.roots.some((r) => isWithin(real, realPath(r), false))) {
    throw new PathNotAllowedError(`pglite directory ${shown} is outside the allowed directories (${hint})`, { path: dataDir });
  }
}

/** `path` below `root` (or equal to it when `orEqual`). */
function isWithin(path: string, root: string, orEqual: boolean): boolean {
  const rel = relative(root, path);
  if (rel === '') return orEqual;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The real path: symbolic links of the longest existing ancestor resolved, the missing rest appended. */
function realPath(path: string): string {
  let head = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      return join(realpathSync.native(head), ...missing.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      missing.push(basename(head));
      head = parent;
    }
  }
}
