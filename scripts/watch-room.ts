/**
 * `bun run watch-room HEL`: prints a warehouse's live room as it happens, one line per message
 * (the snapshot, then every committed stock change and event), through the typed client.
 * Signs in as ADMIN_EMAIL / ADMIN_PASSWORD (the dev seed's admin by default), or with
 * VARASTOKKR_API_KEY; BASE is the edge (http://127.0.0.1:8787). `--changes N` exits after N
 * stock changes; otherwise Ctrl-C ends it.
 */
import { createClient, type RoomMessage } from '@varastokkr/client';

const usage = 'Usage: bun run watch-room <warehouse code or id> [--changes N]';
const [warehouse, flag, count] = process.argv.slice(2);
const changes = flag === '--changes' ? Number(count) : Number.POSITIVE_INFINITY;
if (!warehouse || (flag !== undefined && !(Number.isInteger(changes) && changes > 0))) {
  console.error(usage);
  process.exit(2);
}

const baseUrl = process.env.BASE ?? 'http://127.0.0.1:8787';
const apiKey = process.env.VARASTOKKR_API_KEY;
const api = createClient({
  baseUrl,
  credentials: apiKey
    ? { apiKey }
    : {
        email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
        password: process.env.ADMIN_PASSWORD ?? 'admin-dev-password',
      },
});

const { data } = await api.GET('/api/warehouses', { params: { query: { limit: 200 } } });
const found = data.items.find((w) => w.code === warehouse || w.id === warehouse);
if (!found) {
  console.error(
    `No warehouse ${warehouse} that you may read; there are ${data.items.map((w) => w.code).join(', ')}.`,
  );
  process.exit(1);
}

/** One readable line per message. */
function describe(m: RoomMessage): string | undefined {
  switch (m.type) {
    case 'snapshot':
      return `snapshot ${found?.code} version ${m.version}: ${m.levels.length} levels`;
    case 'stock':
      return `stock ${m.sku} on hand ${m.onHand}, reserved ${m.reserved}, available ${m.available} (version ${m.version})`;
    case 'event':
      return `event ${m.event}`;
    default:
      return undefined;
  }
}

const room = api.room(found.id);
let seen = 0;
room.on('message', (m) => {
  const line = describe(m);
  if (line) console.log(line);
  if (m.type === 'stock' && ++seen >= changes) {
    room.close();
    process.exit(0);
  }
});
room.on('close', (c) => {
  if (c.reconnecting) return;
  console.error(`The room closed: ${c.reason || c.kind}. Sign in again, or check the warehouse scope.`);
  process.exit(1);
});
