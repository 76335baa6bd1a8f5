/**
 * The built-in `countries` lookup table of domain packs: what a customer's country determines
 * elsewhere in the data — the currency of their orders and accounts (with its minor units and a
 * rough rate per US dollar, so a catalogue priced in dollars reads naturally in yen or rupees) and
 * the format of their phone numbers (`#` is a random digit). Rates are illustrative, not market data.
 */
export interface Country {
  code: string;
  name: string;
  currency: string;
  /** Decimal places of the currency (JPY has none). */
  minor_units: number;
  /** Illustrative units of `currency` per US dollar. */
  fx_per_usd: number;
  calling_code: string;
  /** Mobile number format, `#` = a digit. */
  phone: string;
}

export const COUNTRIES: readonly Country[] = [
  { code: 'US', name: 'United States', currency: 'USD', minor_units: 2, fx_per_usd: 1, calling_code: '+1', phone: '+1 ###-###-####' },
  { code: 'CA', name: 'Canada', currency: 'CAD', minor_units: 2, fx_per_usd: 1.36, calling_code: '+1', phone: '+1 ###-###-####' },
  { code: 'GB', name: 'United Kingdom', currency: 'GBP', minor_units: 2, fx_per_usd: 0.79, calling_code: '+44', phone: '+44 7### ######' },
  { code: 'DE', name: 'Germany', currency: 'EUR', minor_units: 2, fx_per_usd: 0.92, calling_code: '+49', phone: '+49 15# ########' },
  { code: 'FR', name: 'France', currency: 'EUR', minor_units: 2, fx_per_usd: 0.92, calling_code: '+33', phone: '+33 6 ## ## ## ##' },
  { code: 'ES', name: 'Spain', currency: 'EUR', minor_units: 2, fx_per_usd: 0.92, calling_code: '+34', phone: '+34 6## ### ###' },
  { code: 'IT', name: 'Italy', currency: 'EUR', minor_units: 2, fx_per_usd: 0.92, calling_code: '+39', phone: '+39 3## ### ####' },
  { code: 'NL', name: 'Netherlands', currency: 'EUR', minor_units: 2, fx_per_usd: 0.92, calling_code: '+31', phone: '+31 6 ########' },
  { code: 'CH', name: 'Switzerland', currency: 'CHF', minor_units: 2, fx_per_usd: 0.88, calling_code: '+41', phone: '+41 7# ### ## ##' },
  { code: 'SE', name: 'Sweden', currency: 'SEK', minor_units: 2, fx_per_usd: 10.5, calling_code: '+46', phone: '+46 7#-### ## ##' },
  { code: 'JP', name: 'Japan', currency: 'JPY', minor_units: 0, fx_per_usd: 150, calling_code: '+81', phone: '+81 90-####-####' },
  { code: 'IN', name: 'India', currency: 'INR', minor_units: 2, fx_per_usd: 83, calling_code: '+91', phone: '+91 9#### #####' },
  { code: 'BR', name: 'Brazil', currency: 'BRL', minor_units: 2, fx_per_usd: 5, calling_code: '+55', phone: '+55 11 9####-####' },
  { code: 'MX', name: 'Mexico', currency: 'MXN', minor_units: 2, fx_per_usd: 17, calling_code: '+52', phone: '+52 55 #### ####' },
  { code: 'AU', name: 'Australia', currency: 'AUD', minor_units: 2, fx_per_usd: 1.52, calling_code: '+61', phone: '+61 4## ### ###' },
];

/** A POSIX regular expression (PostgreSQL `~`) matching exactly the numbers of a phone format. */
export function phoneRegex(format: string): string {
  let out = '^';
  for (const ch of format) out += ch === '#' ? '[0-9]' : /[A-Za-z0-9 -]/.test(ch) ? ch : `\\${ch}`;
  return `${out}$`;
}
