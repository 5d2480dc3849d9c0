// Only for the Prisma CLI on a machine that can download its schema engine, e.g.
//   DATABASE_URL=postgres://… npx prisma migrate status --config prisma/prisma.config.ts
// fleetqry itself migrates with libs/store's migrator (npm run db:migrate), which records migrations in
// _prisma_migrations exactly as `prisma migrate deploy` does, so both agree on what is applied.
import { defineConfig, env } from 'prisma/config';

export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
  datasource: { url: env('DATABASE_URL') },
});
