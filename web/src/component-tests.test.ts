/**
 * The dashboard's component tests (`*.testbed.ts`, Vitest in Angular's TestBed) as part of
 * `bun run test`: one `ng test` run, which fails here when any of them fails.
 */
import { expect, test } from 'bun:test';
import { testWeb } from '../../scripts/web-build.ts';

test('the component and service tests pass under Vitest', async () => {
  const output = await testWeb();
  expect(output).toMatch(/Test Files\s+\d+ passed/);
  expect(output).not.toMatch(/\d+ failed/);
}, 180_000);
