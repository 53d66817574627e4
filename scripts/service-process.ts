import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { lineSplitter } from '../core/platform/lines.ts';

const root = join(import.meta.dir, '..');

export interface ServiceProcess {
  name: string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** Ends it at once (SIGKILL), stop under way or not. */
  kill(): void;
}

/**
 * A child process in its own process group (so a terminal's Ctrl-C reaches only the parent,
 * which stops the children in order), its output lines handed to onLine.
 */
export function spawnService(
  name: string,
  cmd: string[],
  env: Record<string, string>,
  onLine: (line: string) => void,
): ServiceProcess {
  const [program, ...args] = cmd;
  if (!program) throw new Error(`${name}: no command to run`);
  const child = spawn(program, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines = lineSplitter(onLine);
  child.stdout.on('data', lines.push);
  child.stderr.on('data', lines.push);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    name,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      lines.end();
    },
  };
}
