/**
 * The breaking-change check of `bun run lint`: openapi.json against its previous committed
 * version. While the file has uncommitted changes that is the version at HEAD; otherwise the
 * version before the last commit that changed it. A breaking change (scripts/openapi-diff.ts)
 * fails the check unless openapi-breaking-allowed.json lists its id with a reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BreakingChange, breakingChanges } from './openapi-diff.ts';

const root = join(import.meta.dir, '..');
const FILE = 'openapi.json';
const ALLOWLIST_FILE = 'openapi-breaking-allowed.json';

export interface AllowedChange {
  change: string;
  reason: string;
}

/**
 * The previous committed version of `dir`/openapi.json and where it came from; undefined when
 * there is none (not a git checkout, or the file's first version); 'shallow' when the clone
 * lacks the commit to compare with.
 */
export function previousVersion(dir = root): { text: string; from: string } | undefined | 'shallow' {
  const git = (...args: string[]) => {
    const run = Bun.spawnSync(['git', ...args], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
    return { ok: run.exitCode === 0, out: run.stdout.toString() };
  };
  if (!git('rev-parse', '--is-inside-work-tree').ok) return undefined;
  if (!git('diff', '--quiet', 'HEAD', '--', FILE).ok) {
    const atHead = git('show', `HEAD:${FILE}`);
    return atHead.ok ? { text: atHead.out, from: 'HEAD' } : undefined;
  }
  const last = git('log', '-1', '--format=%H', '--', FILE).out.trim();
  if (!last) return undefined;
  const parent = git('rev-parse', '--verify', '--quiet', `${last}^`);
  if (!parent.ok)
    return git('rev-parse', '--is-shallow-repository').out.trim() === 'true' ? 'shallow' : undefined;
  const before = git('show', `${last}^:${FILE}`);
  return before.ok ? { text: before.out, from: `${last.slice(0, 10)}^` } : undefined;
}

/** The changes the allowlist does not let through, and allowlist entries without a reason. */
export function unallowed(changes: BreakingChange[], allowed: AllowedChange[]) {
  const reasoned = allowed.filter((a) => typeof a.reason === 'string' && a.reason.trim().length > 0);
  const ids = new Set(reasoned.map((a) => a.change));
  return {
    refused: changes.filter((c) => !ids.has(c.id)),
    unreasoned: allowed.filter((a) => !reasoned.includes(a)),
  };
}

if (import.meta.main) {
  const previous = previousVersion();
  if (previous === 'shallow') {
    console.error(
      `The commit before the last change to ${FILE} is not in this shallow clone: fetch it (git fetch --deepen=50) so the breaking-change check can compare.`,
    );
    process.exit(1);
  }
  if (!previous) {
    console.log(`${FILE}: no previous committed version to compare with; no breaking-change check.`);
    process.exit(0);
  }
  const current = JSON.parse(readFileSync(join(root, FILE), 'utf8'));
  const changes = breakingChanges(JSON.parse(previous.text), current);
  const allowPath = join(root, ALLOWLIST_FILE);
  const allowed: AllowedChange[] = existsSync(allowPath)
    ? JSON.parse(readFileSync(allowPath, 'utf8')).allowed
    : [];
  const { refused, unreasoned } = unallowed(changes, allowed);
  for (const a of unreasoned) console.error(`${ALLOWLIST_FILE}: "${a.change}" has no reason.`);
  for (const c of refused) console.error(`breaking: ${c.message}\n  id: ${c.id}`);
  if (refused.length > 0)
    console.error(
      `\n${refused.length} breaking change(s) to ${FILE} since ${previous.from}. Keep the contract, or add each id with a reason to ${ALLOWLIST_FILE}.`,
    );
  if (refused.length > 0 || unreasoned.length > 0) process.exit(1);
  console.log(
    `${FILE}: no breaking change since ${previous.from}${changes.length > 0 ? ` (${changes.length} allowed)` : ''}.`,
  );
}
