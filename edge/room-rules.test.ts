/**
 * The plain rules of the live rooms: who may hold a socket and what reaches it (asked of the
 * policy), what an access change does to a socket, the per-socket budgets, and the client
 * messages. The same rules run at the edge; the end-to-end tests are room-*.test.ts.
 */
import { describe, expect, test } from 'bun:test';
import type { Principal } from '../core/identity/policy.ts';
import type { Role } from '../core/identity/tables.ts';
import { freshBudget, roomLimits, spendMessage, spendResume } from './room-limits.ts';
import {
  accessVerdict,
  mayReceive,
  type RoomRights,
  roomRights,
  type SocketAccess,
  verdictOnArrival,
} from './room-rules.ts';
import { MAX_WATCHED_SKUS, parseClientMessage, roomAccessChangeSchema } from './room-types.ts';

const wh = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const userId = '33333333-3333-4333-8333-333333333333';
const sid = '44444444-4444-4444-8444-444444444444';
const keyId = '55555555-5555-4555-8555-555555555555';

const principal = (roles: Role[], warehouseIds = [wh], kind: Principal['kind'] = 'user'): Principal => ({
  kind,
  id: kind === 'user' ? userId : keyId,
  name: 'x',
  email: null,
  roles,
  warehouseIds,
});

const access = (rights: RoomRights, kind: 'user' | 'api_key' = 'user'): SocketAccess => ({
  owner: { kind, id: kind === 'user' ? userId : keyId, sid: kind === 'user' ? sid : null },
  rights,
  expiresAt: null,
  issuedAt: null,
});

describe('roomRights (the stock:read policy, then what events the socket may read)', () => {
  test('staff in scope read stock, every order, transfers and purchase orders; admins everywhere', () => {
    for (const role of ['manager', 'clerk'] as const)
      expect(roomRights(principal([role]), wh)).toEqual({ orders: 'all', transfers: true, purchasing: true });
    expect(roomRights(principal(['admin'], []), wh)).toEqual({
      orders: 'all',
      transfers: true,
      purchasing: true,
    });
  });
  test('no room outside the scope, and none for a partner (no stock:read)', () => {
    expect(roomRights(principal(['clerk'], [other]), wh)).toBeNull();
    expect(roomRights(principal(['partner']), wh)).toBeNull();
    expect(roomRights(principal(['partner'], [wh], 'api_key'), wh)).toBeNull();
  });
});

describe('mayReceive', () => {
  const order = (data: Record<string, unknown>) => ({ event: 'order.created', data });
  test('order events need orders:read; transfer events transfers:read; purchase orders purchase-orders:read; other kinds reach nobody', () => {
    const all = access({ orders: 'all', transfers: true, purchasing: true });
    expect(mayReceive(all, order({ id: 'o' }))).toBe(true);
    expect(mayReceive(all, { event: 'transfer.updated', data: {} })).toBe(true);
    expect(mayReceive(all, { event: 'purchase_order.updated', data: {} })).toBe(true);
    expect(mayReceive(all, { event: 'warehouse.created', data: {} })).toBe(false);
    // A socket attached before purchase orders existed has no such right: none reach it.
    expect(
      mayReceive(access({ orders: 'all', transfers: true }), { event: 'purchase_order.updated', data: {} }),
    ).toBe(false);
    const none = access({ orders: 'none', transfers: false });
    expect(mayReceive(none, order({ id: 'o' }))).toBe(false);
    expect(mayReceive(none, { event: 'transfer.updated', data: {} })).toBe(false);
    expect(
      mayReceive(access({ orders: 'none', transfers: false, purchasing: false }), {
        event: 'purchase_order.updated',
        data: {},
      }),
    ).toBe(false);
  });
  test('a socket that sees only its own orders gets those naming it as owner, and no others', () => {
    const own = access({ orders: 'own', transfers: false }, 'api_key');
    expect(mayReceive(own, order({ ownerKind: 'api_key', ownerId: keyId }))).toBe(true);
    expect(mayReceive(own, order({ owner: { kind: 'api_key', id: keyId } }))).toBe(true);
    expect(mayReceive(own, order({ ownerKind: 'api_key', ownerId: crypto.randomUUID() }))).toBe(false);
    expect(mayReceive(own, order({ ownerKind: 'user', ownerId: keyId }))).toBe(false);
    // No owner named: not provably its own.
    expect(mayReceive(own, order({ id: 'o' }))).toBe(false);
  });
});

describe('accessVerdict', () => {
  const change = (value: unknown) => roomAccessChangeSchema.parse(value);
  const all = { orders: 'all', transfers: true } as const;
  test('an ended credential closes the matching sockets with 4401, by user, session or key', () => {
    const user = access(all);
    const key = access(all, 'api_key');
    const disabled = change({ kind: 'ended', reason: 'disabled', userId, apiKeyIds: [keyId] });
    expect(accessVerdict(user, disabled, wh)).toMatchObject({ action: 'close', code: 4401 });
    expect(accessVerdict(key, disabled, wh)).toMatchObject({ action: 'close', code: 4401 });
    const loggedOut = change({ kind: 'ended', reason: 'signed_out', sessionId: sid });
    expect(accessVerdict(user, loggedOut, wh)).toEqual({
      action: 'close',
      code: 4401,
      reason: 'Signed out.',
    });
    expect(accessVerdict(key, loggedOut, wh)).toEqual({ action: 'keep' });
    const otherSession = change({ kind: 'ended', reason: 'signed_out', sessionId: crypto.randomUUID() });
    expect(accessVerdict(user, otherSession, wh)).toEqual({ action: 'keep' });
    // A key id never matches a user's socket, nor a user id a key's.
    expect(
      accessVerdict(user, change({ kind: 'ended', reason: 'key_revoked', apiKeyIds: [userId] }), wh),
    ).toEqual({ action: 'keep' });
  });
  test('a re-scoped user keeps the rooms still in scope (new rights) and loses the others with 4403', () => {
    const user = access(all);
    const narrowed = change({ kind: 'rescoped', userId, roles: ['clerk'], warehouseIds: [other] });
    expect(accessVerdict(user, narrowed, wh)).toMatchObject({ action: 'close', code: 4403 });
    const kept = change({ kind: 'rescoped', userId, roles: ['manager'], warehouseIds: [wh] });
    expect(accessVerdict(user, kept, wh)).toEqual({
      action: 'rescope',
      rights: { ...all, purchasing: true },
    });
    const partner = change({ kind: 'rescoped', userId, roles: ['partner'], warehouseIds: [wh] });
    expect(accessVerdict(user, partner, wh)).toMatchObject({ action: 'close', code: 4403 });
    expect(accessVerdict(access(all, 'api_key'), partner, wh)).toEqual({ action: 'keep' });
  });
});

describe('verdictOnArrival (a change that overtook the upgrade check)', () => {
  const all = { orders: 'all', transfers: true } as const;
  const at = 1_000_000_000_000;
  const user = (issuedAt: number): SocketAccess => ({ ...access(all), issuedAt });
  const received = (change: unknown, when = at) => ({
    at: when,
    change: roomAccessChangeSchema.parse(change),
  });
  test('an ended session or key refuses the socket, whenever its token was issued', () => {
    const ended = received({ kind: 'ended', reason: 'signed_out', sessionId: sid });
    expect(verdictOnArrival(user(at + 5_000), [ended], wh)).toMatchObject({ action: 'close', code: 4401 });
    const revoked = received({ kind: 'ended', reason: 'key_revoked', apiKeyIds: [keyId] });
    expect(verdictOnArrival(access(all, 'api_key'), [revoked], wh)).toMatchObject({ code: 4401 });
  });
  test('a user ended by id refuses tokens from before the change only', () => {
    const disabled = received({ kind: 'ended', reason: 'disabled', userId });
    expect(verdictOnArrival(user(at - 2_000), [disabled], wh)).toMatchObject({ action: 'close', code: 4401 });
    expect(verdictOnArrival(user(at - 500), [disabled], wh)).toEqual({ action: 'keep' });
    expect(verdictOnArrival(user(at + 1_000), [disabled], wh)).toEqual({ action: 'keep' });
  });
  test('only the latest re-scope counts, and it can only refuse', () => {
    const lost = received({ kind: 'rescoped', userId, roles: ['clerk'], warehouseIds: [other] });
    const back = received({ kind: 'rescoped', userId, roles: ['clerk'], warehouseIds: [wh] }, at + 1);
    expect(verdictOnArrival(user(at), [lost], wh)).toMatchObject({ action: 'close', code: 4403 });
    expect(verdictOnArrival(user(at), [lost, back], wh)).toEqual({ action: 'keep' });
    expect(verdictOnArrival(user(at), [], wh)).toEqual({ action: 'keep' });
  });
});

describe('socket budgets', () => {
  test('a message over the size limit is refused', () => {
    expect(spendMessage(freshBudget(0), roomLimits.maxMessageBytes + 1, 0).ok).toBe(false);
    expect(spendMessage(freshBudget(0), roomLimits.maxMessageBytes, 0).ok).toBe(true);
  });
  test('messages beyond the window allowance are refused; a new window starts afresh', () => {
    let budget = freshBudget(0);
    for (let i = 0; i < roomLimits.messages; i++) {
      const spent = spendMessage(budget, 10, 1000);
      if (!spent.ok) throw new Error(`refused message ${i + 1}`);
      budget = spent.budget;
    }
    expect(spendMessage(budget, 10, 1000).ok).toBe(false);
    expect(spendMessage(budget, 10, roomLimits.messageWindowMs).ok).toBe(true);
  });
  test('resumes beyond their allowance are refused until their window passes', () => {
    let budget = freshBudget(0);
    for (let i = 0; i < roomLimits.resumes; i++) {
      const spent = spendResume(budget, 5);
      if (!spent.ok) throw new Error(`refused resume ${i + 1}`);
      budget = spent.budget;
    }
    expect(spendResume(budget, 5).ok).toBe(false);
    expect(spendResume(budget, roomLimits.resumeWindowMs).ok).toBe(true);
  });
});

test('client messages: resume with a version, auth with a token, watch with skus; anything else says why not', () => {
  expect(parseClientMessage('{"type":"resume","since":3}')).toEqual({
    message: { type: 'resume', since: 3 },
  });
  expect(parseClientMessage('{"type":"auth","token":"a.b.c"}')).toEqual({
    message: { type: 'auth', token: 'a.b.c' },
  });
  expect(parseClientMessage('{"type":"watch","skus":["Ham-16oz","HAM-16OZ","nail.5"]}')).toEqual({
    message: { type: 'watch', skus: ['ham-16oz', 'nail.5'] },
  });
  expect(parseClientMessage('{"type":"watch","skus":null}')).toEqual({
    message: { type: 'watch', skus: null },
  });
  for (const bad of [
    '{"type":"auth","token":""}',
    '{"type":"auth","token":5}',
    '{"type":"resume","since":-1}',
  ])
    expect(parseClientMessage(bad)).toHaveProperty('problem');
  expect(parseClientMessage('{"type":"watch","skus":["a,b"]}')).toEqual({ problem: 'skus.0: not a sku' });
  const many = JSON.stringify({ type: 'watch', skus: Array.from({ length: 21 }, (_, i) => `S${i}`) });
  expect(parseClientMessage(many)).toEqual({ problem: 'skus: at most 20 skus' });
  expect(parseClientMessage('nope')).toEqual({ problem: 'not JSON' });
});

test("the largest socket state fits the runtime's 2,048-byte attachment", () => {
  const uuid = '00000000-0000-4000-8000-000000000000';
  const largest = {
    owner: { kind: 'user', id: uuid, sid: uuid },
    rights: { orders: 'none', transfers: false, purchasing: false },
    expiresAt: Number.MAX_SAFE_INTEGER,
    issuedAt: Number.MAX_SAFE_INTEGER,
    budget: {
      messagesSince: Number.MAX_SAFE_INTEGER,
      messages: Number.MAX_SAFE_INTEGER,
      resumesSince: Number.MAX_SAFE_INTEGER,
      resumes: Number.MAX_SAFE_INTEGER,
    },
    watch: Array.from({ length: MAX_WATCHED_SKUS }, (_, i) => `${i}`.padEnd(64, 'x')),
  };
  expect(new TextEncoder().encode(JSON.stringify(largest)).byteLength).toBeLessThan(2048 - 256);
});
