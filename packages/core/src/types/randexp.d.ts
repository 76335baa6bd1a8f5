// Types for randexp 0.6 (the package ships none): regular expression → a random matching string.
declare module 'randexp' {
  export default class RandExp {
    constructor(pattern: RegExp | string, flags?: string);
    /** Upper bound for `*`, `+` and open `{n,}` repetitions (default 100). */
    max: number;
    /** The random integer source in [a, b]; replace it to make generation deterministic. */
    randInt: (a: number, b: number) => number;
    defaultRange: { add(from: number, to: number): void; subtract(from: number, to: number): void };
    gen(): string;
  }
}
