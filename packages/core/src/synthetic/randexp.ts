/**
 * randexp (regular expression → a random matching string) as an ES import. The package is CommonJS
 * (`module.exports = RandExp`) while its typings declare a default export, so under NodeNext the
 * default import is the class at run time but typed as the module: this is the one place that says so.
 */
import RandExpModule from 'randexp';

type RandExpClass = (typeof RandExpModule)['default'];
export const RandExp = RandExpModule as unknown as RandExpClass;
export type RandExp = InstanceType<RandExpClass>;

/** A generator for `pattern` whose randomness comes from `randInt` (a seeded source), at most `max` repeats for open quantifiers. */
export function seededRandExp(pattern: RegExp | string, randInt: (a: number, b: number) => number, max = 8): RandExp {
  const r = new RandExp(pattern);
  r.max = max;
  r.randInt = randInt;
  return r;
}
