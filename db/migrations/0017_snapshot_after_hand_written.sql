-- No schema change. Migrations 0013 to 0016 were written by hand; this one only records
-- drizzle-kit's snapshot of the schema after them (meta/0017_snapshot.json), so that
-- `bun run db:generate` diffs the tables against what the database really has.
SELECT 1;
