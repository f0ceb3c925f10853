import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only. The running service reads DATABASE_URL through
// its validated configuration and applies migrations itself (packages/db).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/rolegate' },
});
