/**
 * Faker with the English locale over `base` — the same instance as `new Faker({ locale: [en, base] })`
 * — loaded from `@faker-js/faker/locale/en`: the package's main entry loads all of its ~70 locales
 * (≈ 30 MB of an idle server's memory) even when only English is used.
 */
import type { Faker, LocaleDefinition } from '@faker-js/faker';
import { faker } from '@faker-js/faker/locale/en';

export const englishFaker: Faker = faker;

/** A new, independently seedable English Faker. */
export function createEnglishFaker(): Faker {
  const FakerClass = faker.constructor as new (options: { locale: LocaleDefinition }) => Faker;
  return new FakerClass({ locale: faker.rawDefinitions });
}
