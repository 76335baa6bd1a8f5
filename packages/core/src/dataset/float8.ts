/**
 * float8 text ⇄ JavaScript number, byte for byte as PostgreSQL ≥ 12 prints it. With the default
 * `extra_float_digits` (1) PostgreSQL prints the shortest decimal that reads back to the same double
 * (Ryu), in fixed notation when the decimal exponent is in [-4, 15) and as `1.5e+20` / `1e-05`
 * otherwise (printf `%g` thresholds, at least two exponent digits). JavaScript's `toExponential()`
 * yields the same shortest digits (except for halfway ties above 2^53, handled below), so the text
 * survives a trip through a Parquet DOUBLE — which the dataset writer still checks value by value.
 */

const TWO_TO_53 = 2 ** 53;
const bits = new BigUint64Array(1);
const asDouble = new Float64Array(bits.buffer);

/**
 * Shortest digits of a double ≥ 2^53 (an integer) the way PostgreSQL's Ryu picks them: a decimal
 * lying exactly halfway to a neighbouring double is not accepted (JavaScript accepts it when the
 * tie reads back to this double), so e.g. 21947186902425032 prints as `2.1947186902425032e+16` in
 * PostgreSQL but as `2.194718690242503e+16` in JavaScript. Above 2^53 every double is an integer,
 * so exact BigInt arithmetic settles it; below, no halfway point has 17 or fewer digits and the two
 * algorithms agree. Returns the mantissa as `d.ddd` and the decimal exponent.
 */
function shortestOfLargeInteger(abs: number): [string, number] {
  asDouble[0] = abs;
  const raw = bits[0] as bigint;
  const biased = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & ((1n << 52n) - 1n);
  const gapUp = 1n << BigInt(biased - 1075); // the double's ulp
  const gapDown = fraction === 0n ? gapUp >> 1n : gapUp; // at a power of two the double below is closer
  const x = BigInt(abs);
  // Twice the open interval of decimals that read back to `abs`: (2x - gapDown, 2x + gapUp).
  const low2 = 2n * x - gapDown;
  const high2 = 2n * x + gapUp;
  const inside = (c: bigint) => 2n * c > low2 && 2n * c < high2;
  const text = x.toString();
  let best = x;
  for (let length = 1; length < text.length; length++) {
    const unit = 10n ** BigInt(text.length - length);
    const floor = (x / unit) * unit;
    const ceil = floor === x ? floor : floor + unit;
    const lowOk = inside(floor);
    const highOk = inside(ceil);
    if (!lowOk && !highOk) continue;
    if (lowOk && highOk) {
      const below = x - floor;
      const above = ceil - x;
      best = below < above || (below === above && (floor / unit) % 2n === 0n) ? floor : ceil;
    } else {
      best = lowOk ? floor : ceil;
    }
    break;
  }
  const digits = best.toString();
  const significant = digits.replace(/0+$/, '');
  return [significant.length > 1 ? `${significant[0]}.${significant.slice(1)}` : significant, digits.length - 1];
}

/** PostgreSQL's text for a double: `NaN`, `Infinity`, `-Infinity`, `-0`, `0.1`, `1e+100`, `1.5e-05`. */
export function formatFloat8(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  let mantissa: string;
  let exponent: number;
  if (Math.abs(value) >= TWO_TO_53) {
    [mantissa, exponent] = shortestOfLargeInteger(Math.abs(value));
  } else {
    const sci = value.toExponential(); // shortest round-trip digits: "-1.2345e-7"
    const e = sci.indexOf('e');
    exponent = Number(sci.slice(e + 1));
    mantissa = sci.slice(sign ? 1 : 0, e);
  }
  if (exponent < -4 || exponent >= 15) {
    const abs = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  if (digits.length <= intLength) return `${sign}${digits}${'0'.repeat(intLength - digits.length)}`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/** A float8 text value as a number (`NaN`, `Infinity` and `-Infinity` included); `NaN` also for non-numbers. */
export function parseFloat8(text: string): number {
  // Number() reads "Infinity", "-Infinity", exponents and "-0"; PostgreSQL's "NaN" needs a case of its own.
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  return text.trim() === '' ? Number.NaN : value;
}
