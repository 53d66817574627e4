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
 * The places that still read a private table, each with why. Remove an entry once its file
 * goes through the public API; a new use anywhere else fails the test.
 */
const knownUses: Record<string, string> = {
  // Selecting a warehouse's queued pushes needs their payload, which the public view lacks, and
  // FOR UPDATE SKIP LOCKED, which the view (an outer join) refuses. Moving off it needs the
  // pushes enqueued with something public to select them by (flags or a job key).
  'core/integrations/jobs.ts': 'takeQueuedJobs',
  // Not editable in this change; permanently_fail_jobs does the same through the public API.
  'test/access-matrix.test.ts': 'POST /api/jobs/{id}/retry case',
};

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
  return grep.stdout.split('\n').filter(Boolean);
}

test("no source names graphile-worker's private tables beyond the known uses", () => {
  const found = filesNamingPrivateTables();
  const unexpected = found.filter((file) => !(file in knownUses));
  if (unexpected.length > 0)
    throw new Error(
      `${unexpected.join(', ')} name graphile-worker's private tables (_private_*): use its public API instead ` +
        '(WorkerUtils, add_job/complete_jobs/reschedule_jobs/permanently_fail_jobs, the graphile_worker.jobs view).',
    );
  expect(unexpected).toEqual([]);
  // A known use that is gone is taken off the list, so it cannot come back unseen.
  expect(Object.keys(knownUses).filter((file) => !found.includes(file))).toEqual([]);
});
