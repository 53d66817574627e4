/**
 * `bun run verify:invariants [--edge URL] [--settle SECONDS]`: checks the invariants over the
 * configured database (DATABASE_URL, or the embedded one `bun run dev` uses): on hand = the sum
 * of the ledger and 0 <= reserved <= on hand for every level, holds = what live orders and
 * requested transfers need (db/invariants.ts); and, with an edge (--edge, or EDGE_URL; the secret
 * is EDGE_INTERNAL_SECRET), every warehouse room = Postgres, compared as the nightly
 * check-warehouse-rooms job does (jobs/room-check.ts) but without repairing anything. Holds and
 * rooms can be a moment behind on a live system, so while they differ they are compared again,
 * until they agree or --settle seconds (default 30) pass. Progress goes to stderr; what is
 * wrong to stdout, each line naming its level. Exits 1 when anything is, 0 when all holds.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { config } from '../core/platform/config.ts';
import { holdViolations, levelViolations, type Violation } from '../db/invariants.ts';
import { withDatabase } from '../db/local-database.ts';
import { type EdgeClient, type EdgeLink, edgeClient } from '../jobs/edge-client.ts';
import { checkRooms } from '../jobs/room-check.ts';

export interface VerifyOptions {
  databaseUrl: string;
  edge?: EdgeLink | undefined;
  settleMs?: number;
  progress?: (line: string) => void;
}

/**
 * Everything that does not hold, each naming where; empty when the database (and rooms) are
 * consistent. The level rules are checked once (their sums are written in one transaction with
 * them); holds against orders and the rooms can be a moment behind on a live system (an order
 * commits before its holds settle; the feed follows commits), so while either differs they are
 * checked again, every second, until they agree or `settleMs` has passed.
 */
export async function verifyInvariants(opts: VerifyOptions): Promise<Violation[]> {
  const say = opts.progress ?? (() => {});
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'varastokkr-verify' });
  await client.connect();
  try {
    say('checking levels: on_hand = ledger sum, reserved = holds sum, 0 <= reserved <= on_hand');
    const levels = await levelViolations(client);
    const edge = opts.edge && edgeClient(opts.edge);
    const deadline = Date.now() + (opts.settleMs ?? 30_000);
    for (;;) {
      say('checking holds = what live orders and requested transfers need');
      const holds = await holdViolations(client);
      if (holds.inFlight > 0)
        say(`${holds.inFlight} holds of orders being placed (the expire-holds sweep ends them)`);
      const rooms = edge ? await roomViolations(client, edge, opts.edge?.url ?? '', say) : [];
      const unsettled = [...holds.violations, ...rooms];
      if (unsettled.length === 0 || Date.now() >= deadline) return [...levels, ...unsettled];
      say(`${unsettled.length} differ; changes in flight may still settle: checking again`);
      await Bun.sleep(1000);
    }
  } finally {
    await client.end();
  }
}

/** Every filled room compared with Postgres, as the nightly check does, repairing nothing. */
async function roomViolations(
  client: pg.Client,
  edge: EdgeClient,
  url: string,
  say: (line: string) => void,
): Promise<Violation[]> {
  say(`checking every warehouse room at ${url} against Postgres`);
  const rooms = await checkRooms(client, edge, {
    repair: false,
    onRoom: (_id, done, of) => {
      if (done === of || done % 50 === 0) say(`  ${done}/${of} rooms compared`);
    },
  });
  return rooms.drifted.flatMap(({ warehouseId, levels }) =>
    levels.map(({ sku, had, now }) => ({
      check: 'room',
      detail:
        `warehouse ${warehouseId} sku ${sku}: room has ` +
        (had ? `on_hand ${had.onHand} reserved ${had.reserved} v${had.version}` : 'nothing') +
        `, Postgres on_hand ${now.onHand} reserved ${now.reserved} v${now.version}`,
    })),
  );
}

/** The edge to compare rooms with: the flag's URL, or EDGE_URL, with EDGE_INTERNAL_SECRET. */
function edgeLink(flag: string | undefined): EdgeLink | undefined {
  const url = flag ?? config().EDGE_URL;
  if (!url) return undefined;
  const secret = config().EDGE_INTERNAL_SECRET;
  if (!secret) throw new Error(`EDGE_INTERNAL_SECRET must be set to compare the rooms at ${url}.`);
  return { url, secret };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { edge: { type: 'string' }, settle: { type: 'string', default: '30' } },
  });
  const settleMs = Number(values.settle) * 1000;
  if (!Number.isFinite(settleMs) || settleMs < 0) {
    console.error('--settle takes a number of seconds.');
    process.exit(2);
  }
  await withDatabase('verify:invariants', async (databaseUrl) => {
    const edge = edgeLink(values.edge);
    if (!edge) console.error('No edge given (--edge or EDGE_URL): the rooms are not compared.');
    const found = await verifyInvariants({
      databaseUrl,
      edge,
      settleMs,
      progress: (line) => console.error(line),
    });
    for (const v of found) console.log(`VIOLATED ${v.check}: ${v.detail}`);
    if (found.length > 0) {
      console.error(`${found.length} invariant violation(s).`);
      process.exitCode = 1;
    } else console.error('Every invariant holds.');
  });
}
