/**
 * An online base backup of a running Postgres cluster, taken with the server's own backup API
 * (pg_backup_start / pg_backup_stop, what pg_basebackup and WAL-archiving tools use), and that
 * copy started as a cluster of its own: the restore half of the drill (scripts/restore-drill.ts)
 * for a self-managed primary whose data directory this machine can read.
 *
 * Why not pg_dump: the embedded Postgres package ships initdb, pg_ctl and postgres only, and a
 * pg_dump older than the server refuses to dump it (db/schema-dump.ts says the same). A database
 * restored any other way (a Neon branch, pg_restore of a dump) is checked by the drill's
 * `--restored` mode instead.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import pg from 'pg';
import { freePort } from '../core/platform/ports.ts';
import { type PostgresServer, startPostgres } from './postgres-server.ts';

/**
 * What a base backup leaves out (PostgreSQL's "Making a Base Backup Using the Low Level API"):
 * the server's own pid files, and the contents of directories it rebuilds on start. pg_wal is
 * copied after the backup ends, so it holds every record from the backup's start to its end.
 */
const SKIPPED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
const EMPTIED_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

function copiedInBackup(dataDir: string, path: string): boolean {
  const parts = relative(dataDir, path).split(sep);
  if (parts.length === 1) return !SKIPPED_FILES.has(parts[0] ?? '');
  return !EMPTIED_DIRS.has(parts[0] ?? '');
}

/**
 * Copies the cluster at `dataDir` (the server `adminUrl` reaches, as a superuser or a role
 * granted pg_backup_start) into `into` while it keeps running, consistent as of the backup's end.
 */
export async function takeBaseBackup(adminUrl: string, dataDir: string, into: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'varastokkr-base-backup' });
  await client.connect();
  try {
    // Non-exclusive: the backup lasts as long as this session; `fast` checkpoints at once.
    await client.query(`select pg_backup_start('varastokkr restore drill', true)`);
    cpSync(dataDir, into, { recursive: true, filter: (src) => copiedInBackup(dataDir, src) });
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>(
      'select labelfile, spcmapfile from pg_backup_stop(false)',
    );
    const stopped = rows[0];
    if (!stopped) throw new Error('pg_backup_stop returned nothing');
    writeFileSync(join(into, 'backup_label'), stopped.labelfile);
    if (stopped.spcmapfile) writeFileSync(join(into, 'tablespace_map'), stopped.spcmapfile);
  } finally {
    await client.end();
  }
  // The WAL from the backup's start to past its end (pg_backup_stop switched segments).
  for (const dir of EMPTIED_DIRS) mkdirSync(join(into, dir), { recursive: true });
  mkdirSync(join(into, 'pg_wal', 'archive_status'), { recursive: true });
  for (const file of readdirSync(join(dataDir, 'pg_wal')))
    if (/^[0-9A-F]{24}$/.test(file)) cpSync(join(dataDir, 'pg_wal', file), join(into, 'pg_wal', file));
  // Owned like the original (as root, by the postgres user Postgres runs as).
  if (process.getuid?.() === 0) {
    const owned = spawnSync('chown', ['-R', `--reference=${dataDir}`, into], { encoding: 'utf8' });
    if (owned.status !== 0) throw new Error(`chown of the backup failed: ${owned.stderr}`);
  }
}

/** Starts the backup as a cluster of its own on a free port: it replays its WAL, then answers. */
export async function startRestoredCluster(
  backupDir: string,
  password: string,
  log?: (line: string) => void,
): Promise<PostgresServer> {
  return startPostgres({ dataDir: backupDir, port: await freePort(), password, ...(log ? { log } : {}) });
}
