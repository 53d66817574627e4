import pg from 'pg';

/** The edge's read-only role (db/migrations/0016_edge_reader_role.sql): NOLOGIN, grants only. */
export const EDGE_ROLE = 'varastokkr_edge';

/**
 * Makes `login` a member of the edge's role that can log in with `password` (creating it, or
 * setting a new password), and returns `databaseUrl` as that login. For `bun run dev` and the
 * tests; production creates its login once, by hand (see the migration). Needs a connection
 * that may create roles, and the migrations applied.
 */
export async function ensureEdgeLogin(databaseUrl: string, login: string, password: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const name = client.escapeIdentifier(login);
    const secret = client.escapeLiteral(password);
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [login]);
    if (rowCount === 0)
      await client.query(`create role ${name} login password ${secret} in role ${EDGE_ROLE}`);
    else {
      await client.query(`alter role ${name} with login password ${secret}`);
      await client.query(`grant ${EDGE_ROLE} to ${name}`);
    }
    // Belt and braces beside the grants; role settings apply to the login, not through its group.
    await client.query(`alter role ${name} set default_transaction_read_only = on`);
  } finally {
    await client.end();
  }
  const url = new URL(databaseUrl);
  url.username = login;
  url.password = password;
  return url.toString();
}
