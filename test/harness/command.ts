/**
 * Runs a command to its end, as a user would from a shell, for tests of the CLIs and scripts.
 */
import { join } from 'node:path';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository's root, where `bun run <script>` finds package.json. */
export const repoRoot = join(import.meta.dir, '..', '..');

/** Runs `cmd` in the repository (or `cwd`) with the test's environment plus `env`, output captured. */
export async function runCommand(
  cmd: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CommandResult> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
