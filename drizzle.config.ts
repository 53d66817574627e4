import { defineConfig } from 'drizzle-kit';

// Generating migrations needs no database: `bun run db:generate` diffs the table files
// against db/migrations/meta. Each service owns the tables in its core/<service>/tables.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './core/*/tables.ts',
  out: './db/migrations',
  schemaFilter: [
    'platform',
    'identity',
    'catalog',
    'inventory',
    'orders',
    'purchasing',
    'integrations',
    'webhooks',
    'analytics',
  ],
  casing: 'snake_case',
});
