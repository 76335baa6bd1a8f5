/**
 * Value validators used by the value rules: real checks (Luhn, IBAN mod-97, octet ranges), not
 * just shapes, so a column of random digits does not pass for card numbers.
 */
import { isIP } from 'node:net';
import { parsePhoneNumber } from 'awesome-phonenumber';
import type { PiiType } from './types.ts';

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$/;

export function isEmail(value: string): boolean {
  const v = value.trim();
  if (v.length > 254 || v.includes('..')) return false;
  const local = v.slice(0, v.lastIndexOf('@'));
  return local.length > 0 && local.length <= 64 && !local.startsWith('.') && !local.endsWith('.') && EMAIL.test(v);
}

/** Luhn checksum over the digits of `value` (separators ignored). */
export function luhnValid(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// Issuer prefixes of the major networks (Visa, Mastercard incl. 2-series, Amex, Discover, JCB, Diners, UnionPay, Maestro).
const CARD_PREFIX = /^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|64[4-9]|65|35|30[0-5]|36|38|62|5018|5020|5038|6304|67)/;

/** A payment card number: 13–19 digits, a known issuer prefix and a valid Luhn checksum. */
export function isCreditCard(value: string): boolean {
  const digits = value.trim().replace(/[\s-]/g, '');
  return /^\d{13,19}$/.test(digits) && CARD_PREFIX.test(digits) && luhnValid(digits);
}

// ISO 13616 lengths of the countries most likely to turn up; others only need 15–34 characters.
const IBAN_LENGTH: Record<string, number> = {
  AT: 20,
  BE: 16,
  CH: 21,
  CZ: 24,
  DE: 22,
  DK: 18,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  IE: 22,
  IT: 27,
  LU: 20,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  SE: 24,
};

/** An IBAN: country code, check digits and BBAN, with the ISO 7064 mod-97 check equal to 1. */
export function isIban(value: string): boolean {
  const iban = value.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTH[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const n = ch >= 'A' ? ch.charCodeAt(0) - 55 : Number(ch);
    remainder = Number(`${remainder}${n}`) % 97;
  }
  return remainder === 1;
}

/** A US Social Security number written AAA-GG-SSSS, without the never-issued areas and groups. */
export function isUsSsn(value: string): boolean {
  return /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/.test(value.trim());
}

/** A UK National Insurance number (two prefix letters, six digits, suffix A–D), spaces allowed. */
export function isUkNino(value: string): boolean {
  const v = value.replace(/\s/g, '').toUpperCase();
  return /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(v);
}

/** A Dutch citizen service number (BSN): nine digits passing the eleven-test. */
export function isBsn(value: string): boolean {
  const v = value.trim();
  if (!/^\d{9}$/.test(v) || /^(\d)\1{8}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(v[i]) * (9 - i);
  sum -= Number(v[8]);
  return sum % 11 === 0;
}

/** A place name or code as people write them: capitalised (`São Paulo`, `QLD`), not a status word (`shipped`). */
export const isPlaceName = (value: string): boolean =>
  /^\p{Lu}[\p{L}\p{M}'’. ()-]*(\s+[\p{L}\p{M}'’.()-]+)*$/u.test(value.trim()) && !/^\p{Lu}{4,}$/u.test(value.trim());

export const isIpAddress = (value: string): boolean => isIP(value.trim().replace(/\/\d{1,3}$/, '')) !== 0;

export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim());

/**
 * A phone number: optional `+`, 7–15 digits (E.164 allows 15), separators a person would type, an
 * optional extension. `strict` excludes bare digit runs, which are as often account numbers.
 */
export function phoneKind(value: string): 'formatted' | 'bare' | null {
  const v = value.trim().replace(/\s*(?:x|ext\.?|#)\s*\d{1,5}$/i, '');
  if (!/^\+?[\d\s().\-/]+$/.test(v)) return null;
  // 3-2-4 is how US SSNs are written, not phones.
  if (/^\d{3}-\d{2}-\d{4}$/.test(v) || /^\d{4}-\d{2}-\d{2}/.test(v) || /^\d{1,3}(\.\d{1,3}){3}$/.test(v) || /^\d+\.\d{1,2}$/.test(v)) return null;
  const digits = v.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return null;
  if (/^\d+$/.test(v)) return digits.length >= 9 ? 'bare' : null;
  if (/[\s().\-/]{3,}/.test(v) || !/\d$/.test(v)) return null;
  return 'formatted';
}

export const isPhone = (value: string): boolean => phoneKind(value) !== null;

/** Countries whose national formats are tried for numbers written without a country code. */
const PHONE_REGIONS = ['US', 'CA', 'GB', 'IE', 'DE', 'AT', 'CH', 'FR', 'BE', 'NL', 'ES', 'PT', 'IT', 'BR', 'MX', 'AU', 'IN', 'SE', 'DK', 'NO', 'PL'];

/**
 * A number Google's libphonenumber metadata (awesome-phonenumber) accepts: in E.164 / international
 * form for its country, or written with separators in the national format of one of the common
 * countries (bare digit runs: North American numbers only).
 */
export function isValidPhoneNumber(value: string): boolean {
  const v = value.trim().replace(/\s*(?:x|ext\.?|#)\s*\d{1,5}$/i, '');
  if (/^(\+|00)/.test(v)) return parsePhoneNumber(v.replace(/^00/, '+')).valid;
  // A bare digit run fits some country's plan too easily: only North American numbers are written that way.
  const regions = /^\d+$/.test(v) ? ['US', 'CA'] : PHONE_REGIONS;
  return regions.some((regionCode) => parsePhoneNumber(v, { regionCode }).valid);
}

/** Hashes that are almost only ever password hashes (bcrypt, argon2, scrypt, PBKDF2 in PHC or Django form). */
export const isPasswordHash = (value: string): boolean =>
  /^\$(2[abxy]?)\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value) || /^\$(argon2(id|i|d)|scrypt|pbkdf2[-_a-z0-9]*)\$/.test(value) || /^pbkdf2_sha\d+\$\d+\$/.test(value);

/** Bare hex digests (MD5, SHA-1, SHA-256): password hashes or file checksums — supporting evidence only. */
export const isHexDigest = (value: string): boolean => /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i.test(value.trim());

/**
 * A plausible date of birth: a date (PostgreSQL text of date/timestamp) from 1900 up to ten years
 * before `now`. Returns the year, or null.
 */
export function birthYear(value: string, now: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const date = Date.UTC(year, Number(m[2]) - 1, Number(m[3]));
  const latest = Date.UTC(now.getUTCFullYear() - 10, now.getUTCMonth(), now.getUTCDate());
  return year >= 1900 && date <= latest ? year : null;
}

/** Validators by PII type, for `combine` to notice a name rule that the sampled values contradict. */
export const VALIDATORS: Partial<Record<PiiType, (v: string) => boolean>> = {
  EMAIL: isEmail,
  PHONE: isPhone,
  IP_ADDRESS: isIpAddress,
  CREDIT_CARD: isCreditCard,
  IBAN: isIban,
  CITY: isPlaceName,
  DISTRICT: isPlaceName,
  REGION: isPlaceName,
  COUNTRY: isPlaceName,
};
