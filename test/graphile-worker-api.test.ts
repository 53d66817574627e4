/**
 * graphile-worker is used through its public API only: WorkerUtils, its SQL functions
 * (add_job, complete_jobs, reschedule_jobs, permanently_fail_jobs, force_unlock_workers) and
 * its `graphile_worker.jobs` view, never its private tables (`_private_jobs`, `_private_tasks`,
 * ...), which an upgrade may change without notice.
 */
import { expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');

/**
 * The one exception: a test that must lock a job row mid-statement as a worker's get_job does
 * (no public API can), to reproduce add_jobs dropping a keyed job. Tests only, never code.
 */
const simulatesAWorkersLock = ['core/platform/outbox-keys.test.ts'];

/** Tracked files (source, tests, SQL, docs) that name a graphile-worker private table. */
function filesNamingPrivateTables(): string[] {
  const grep = spawnSync(
    'git',
    ['grep', '--untracked', '-l', '-E', 'graphile_worker\\.\\s*"?_private_', '--', '.'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (grep.status !== 0 && grep.status !== 1) throw new Error(`git grep failed: ${grep.stderr}`);
  return grep.stdout.split('\n').filter((f) => f && !simulatesAWorkersLock.includes(f));
}

test("no file names graphile-worker's private tables", () => {
  const found = filesNamingPrivateTables();
  if (found.length > 0)
    throw new Error(
      `${found.join(', ')} name graphile-worker's private tables (_private_*): use its public API instead ` +
        '(WorkerUtils, add_job/complete_jobs/reschedule_jobs/permanently_fail_jobs, the graphile_worker.jobs view).',
    );
  expect(found).toEqual([]);
});
