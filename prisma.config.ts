// Prisma CLI configuration: used by `prisma generate` only. Migrations are committed SQL under
// prisma/migrations and are applied by TDM itself on start (see packages/core/src/store/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
