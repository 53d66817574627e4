import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ApiSession } from '../api/api-session';
import { Warehouses } from '../api/warehouses';
import { ApiKeysPage } from './api-keys.page';

const listed = {
  id: 'k1',
  name: 'Webshop',
  prefix: 'q7m2x9k4tb',
  roles: ['partner'],
  warehouseIds: [],
  userId: null,
  lastUsedAt: null,
  revokedAt: null,
  createdAt: '2026-01-02T08:00:00.000Z',
};
const secret = 'vk_q7m2x9k4tb_zF2Ez6JLp5Qh0qDkA54YfmXJvmWzzVqgW';

/** A client that lists no keys and creates the one above, recording what was sent. */
function fakeClient(sent: unknown[]) {
  return {
    GET: async () => ({ data: { items: [] } }),
    POST: async (_path: string, init: { body: unknown }) => {
      sent.push(init.body);
      return { data: { ...listed, key: secret } };
    },
  };
}

async function render() {
  const sent: unknown[] = [];
  const client = fakeClient(sent);
  TestBed.configureTestingModule({
    providers: [
      { provide: ApiSession, useValue: { api: (call: (c: unknown) => unknown) => call(client) } },
      { provide: Warehouses, useValue: { list: signal([]), load: async () => [] } },
    ],
  });
  const fixture = TestBed.createComponent(ApiKeysPage);
  await fixture.whenStable();
  return { fixture, root: fixture.nativeElement as HTMLElement, sent };
}

describe('ApiKeysPage', () => {
  it('shows a new key once, with the warning, and only the prefix in the list', async () => {
    const { fixture, root, sent } = await render();
    const name = root.querySelector('input[name=name]') as HTMLInputElement;
    name.value = 'Webshop';
    root.querySelector('form')?.dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(sent).toEqual([{ name: 'Webshop', roles: ['partner'], warehouseIds: [] }]);
    expect((root.querySelector('#new-key-value') as HTMLInputElement).value).toBe(secret);
    expect(root.textContent).toContain('you will not see it again');
    const row = root.querySelector('tr[data-key-id=k1]') as HTMLElement;
    expect(row.textContent).toContain('q7m2x9k4tb');
    expect(row.textContent).not.toContain(secret);

    const stored = [...root.querySelectorAll('button')].find((b) =>
      b.textContent?.includes('I have stored it'),
    );
    stored?.click();
    await fixture.whenStable();
    expect(root.querySelector('#new-key-value')).toBeNull();
    expect(root.innerHTML).not.toContain(secret);
  });
});
