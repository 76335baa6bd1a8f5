/**
 * `fake`: replaces the value with a realistic fake of the same kind, the same for the same input
 * everywhere (Faker seeded with HMAC(salt, kind, value)). The seed is column-independent, so
 * `alice@corp.com` becomes the same fake address in `users.email` and `audit.actor_email`.
 *
 * Fakes come from a small name space, so distinct inputs can meet: emails and usernames carry a
 * short hash-derived suffix by default (`jane.smith.7f3a@example.com`) which makes clashes rare,
 * not impossible — the transformer is not declared injective and the mask step remaps clashes on
 * unique columns. Emails use the reserved example.com/.net/.org domains, so no mail can go out.
 * Determinism holds for the pinned @faker-js/faker version: upgrading Faker changes fakes.
 */
import { createEnglishFaker } from '../../synthetic/faker-en.ts';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { type SemanticKind, semanticKindFor } from '../../synthetic/semantic.ts';
import { columnId, deriveKey, keyedHash } from '../keys.ts';
import { describePgType, fitLength, type PgTypeInfo } from '../pg-type.ts';
import type { TransformContext, TransformerDefinition } from '../types.ts';

const KINDS = ['firstName', 'lastName', 'fullName', 'email', 'phone', 'streetAddress', 'city', 'postalCode', 'username', 'company', 'date'] as const;
type FakeKind = (typeof KINDS)[number];

const params = z.object({
  kind: z
    .enum(['auto', ...KINDS])
    .default('auto')
    .describe("What to generate; auto picks from the column's PII type, then from its name"),
  unique: z.boolean().optional().describe('Add a short hash-derived suffix so distinct inputs rarely share a fake; default true for email and username'),
});
export type FakeParams = z.output<typeof params>;

// What the column means comes from the same reading of names and PII types the generators use
// (synthetic/semantic.ts); these are the meanings `fake` has a generator for.
const FROM_SEMANTIC: Partial<Record<SemanticKind, FakeKind>> = {
  firstName: 'firstName',
  lastName: 'lastName',
  fullName: 'fullName',
  email: 'email',
  phone: 'phone',
  username: 'username',
  streetAddress: 'streetAddress',
  city: 'city',
  postalCode: 'postalCode',
  company: 'company',
  dateOfBirth: 'date',
  pastDate: 'date',
  futureDate: 'date',
  pastTimestamp: 'date',
};

/** The kind `auto` resolves to for a column, or undefined when neither PII type nor name tells. */
export function fakeKindFor(ctx: TransformContext): FakeKind | undefined {
  const { name, table, pgType } = ctx.column;
  const semantic = semanticKindFor({ name, table, pgType, piiType: ctx.piiType });
  const kind = semantic ? FROM_SEMANTIC[semantic] : undefined;
  if (kind) return kind;
  const { kind: type } = describePgType(pgType);
  return type === 'date' || type === 'timestamp' ? 'date' : undefined;
}

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
const DOMAINS = ['example.com', 'example.net', 'example.org'];

type EnglishFaker = ReturnType<typeof createEnglishFaker>;
/** Turns one HMAC digest of the input into a fake. */
type FromDigest<T> = (digest: Buffer) => T;

/** What a fake draws on: the kind, whether to add the uniqueness suffix, and the column's type. */
interface FakeTarget {
  kind: FakeKind;
  unique: boolean;
  type: PgTypeInfo;
}

/**
 * The fake without Faker's generator, or `null` when this kind needs it. Names are picked straight from Faker's locale lists with the digest's bytes: seeding Faker's
 * generator costs ~40 µs a value, an index costs nothing (and the pick is as deterministic).
 */
function pickedFake(faker: EnglishFaker, { kind, unique, type }: FakeTarget): FromDigest<string | null> {
  const people = faker.rawDefinitions.person;
  const firstNames = [...new Set([...(people?.first_name?.generic ?? []), ...(people?.first_name?.female ?? []), ...(people?.first_name?.male ?? [])])];
  const lastNames = [...new Set(people?.last_name?.generic ?? [])];
  const pick = (list: readonly string[], digest: Buffer, at: number): string | undefined =>
    list.length ? list[digest.readUInt32BE(at) % list.length] : undefined;
  return (digest) => {
    const suffix = digest.subarray(16, 18).toString('hex');
    const first = pick(firstNames, digest, 0);
    const last = pick(lastNames, digest, 4);
    if (first === undefined || last === undefined) return null;
    switch (kind) {
      case 'firstName':
        return first;
      case 'lastName':
        return last;
      case 'fullName':
        return `${first} ${last}`;
      case 'email': {
        const domain = `@${DOMAINS[digest.readUInt32BE(8) % DOMAINS.length]}`;
        const tail = unique ? `.${suffix}` : '';
        const room = type.maxLength === undefined ? Number.POSITIVE_INFINITY : type.maxLength - domain.length - tail.length;
        return `${`${slug(first) || 'user'}.${slug(last) || 'name'}`.slice(0, Math.max(room, 1))}${tail}${domain}`;
      }
      default:
        return null;
    }
  };
}

/** A fake from Faker's generators; the caller seeds `faker` from the digest first. */
function generatedFake(faker: EnglishFaker, { kind, unique, type }: FakeTarget): FromDigest<string> {
  return (digest) => {
    const suffix = digest.subarray(16, 18).toString('hex');
    switch (kind) {
      case 'firstName':
        return faker.person.firstName();
      case 'lastName':
        return faker.person.lastName();
      case 'fullName':
        return faker.person.fullName();
      case 'phone':
        return faker.phone.number({ style: 'national' });
      case 'streetAddress':
        return faker.location.streetAddress();
      case 'city':
        return faker.location.city();
      case 'postalCode':
        return faker.location.zipCode('#####');
      case 'company':
        return faker.company.name();
      case 'username': {
        const name = faker.internet.username();
        return unique ? `${name}_${suffix}` : name;
      }
      case 'email': {
        const first = slug(faker.person.firstName()) || 'user';
        const last = slug(faker.person.lastName()) || 'name';
        const domain = `@${faker.helpers.arrayElement(DOMAINS)}`;
        const tail = unique ? `.${suffix}` : '';
        // Shorten the name, never the domain or suffix, so a cut email is still an email.
        const room = type.maxLength === undefined ? Number.POSITIVE_INFINITY : type.maxLength - domain.length - tail.length;
        return `${`${first}.${last}`.slice(0, Math.max(room, 1))}${tail}${domain}`;
      }
      case 'date': {
        const d = faker.date.between({ from: '1940-01-01T00:00:00Z', to: '2005-12-31T23:59:59Z' }).toISOString();
        if (type.kind === 'timestamp') return `${d.slice(0, 10)} ${d.slice(11, 19)}${type.withTimeZone ? '+00' : ''}`;
        return d.slice(0, 10);
      }
    }
  };
}

export const fake: TransformerDefinition<FakeParams> = {
  name: 'fake',
  description:
    'Realistic fake values (names, emails, phones, addresses, cities, postal codes, usernames, companies, birth dates), ' +
    'the same fake for the same input everywhere. Emails/usernames get a short hash suffix for uniqueness. Cut to varchar(n).',
  params,
  appliesTo: ['text', 'date', 'timestamp'],
  deterministic: true,
  injective: false,
  create(p, ctx) {
    const kind = p.kind === 'auto' ? fakeKindFor(ctx) : p.kind;
    if (kind === undefined) {
      throw new InvalidInputError(`fake: cannot tell what to generate for ${columnId(ctx)}; set params.kind`, { column: columnId(ctx) });
    }
    const target: FakeTarget = { kind, unique: p.unique ?? (kind === 'email' || kind === 'username'), type: describePgType(ctx.column.pgType) };
    const mac = keyedHash(deriveKey(ctx, 'fake'));
    const faker = createEnglishFaker();
    const picked = pickedFake(faker, target);
    const generated = generatedFake(faker, target);
    const { maxLength } = target.type;

    return {
      apply(value) {
        if (value === null) return null;
        // Never hand a value back unchanged (a real "Smith" may draw "Smith"): draw again, deterministically.
        for (let attempt = 0; ; attempt++) {
          const digest = mac.digest(attempt === 0 ? [kind, value] : [kind, value, String(attempt)]);
          const quick = picked(digest);
          let out: string;
          if (quick !== null) out = fitLength(quick, maxLength);
          else {
            faker.seed([digest.readUInt32BE(0), digest.readUInt32BE(4), digest.readUInt32BE(8), digest.readUInt32BE(12)]);
            out = fitLength(generated(digest), maxLength);
          }
          if (out.toLowerCase() !== value.toLowerCase() || attempt >= 8) return out;
        }
      },
    };
  },
};
