import { expect, test } from 'bun:test';
import { ScreenAction } from './screen-action';

test('busy while it runs, then its notice; a failure is shown as words and clears the notice', async () => {
  const action = new ScreenAction();
  let release = () => {};
  const running = action.run(async () => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    action.notice.set('Done.');
  });
  expect(action.busy()).toBe(true);
  release();
  await running;
  expect([action.busy(), action.notice(), action.error()]).toEqual([false, 'Done.', '']);

  await action.run(async () => {
    throw new Error('The receiver is gone.');
  });
  expect([action.busy(), action.notice(), action.error()]).toEqual([false, '', 'The receiver is gone.']);
});
