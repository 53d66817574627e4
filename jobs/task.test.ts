/** The runner's side of a job's trace: taken out of the payload before the task's schema, named in its log lines. */
import { expect, test } from 'bun:test';
import { TRACE_PAYLOAD_KEY } from '../core/platform/trace-context.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { defineTask } from './task.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

test("the runner takes the trace out before the task's schema, and the job's log lines name it", async () => {
  const { log, lines } = captureLogger();
  let seen: unknown;
  const task = defineTask('settle-order', async (payload, ctx) => {
    seen = payload;
    ctx.log.info('settling');
  })({ db: undefined as never, log });
  const orderId = crypto.randomUUID();
  await task({ orderId, [TRACE_PAYLOAD_KEY]: traceparent }, { job: { id: '7', attempts: 1 } } as never);
  expect(seen).toEqual({ orderId });
  expect(lines.find((l) => l.msg === 'settling')).toMatchObject({ traceId, jobId: '7' });
});
