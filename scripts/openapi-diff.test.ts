import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previousVersion, unallowed } from './openapi-breaking.ts';
import { breakingChanges } from './openapi-diff.ts';

/** A small document: one product read and one order write, with schemas by reference. */
function doc() {
  return {
    paths: {
      '/api/products/{sku}': {
        get: {
          security: [{ bearerAuth: [] }],
          parameters: [{ name: 'sku', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Product' } } } },
            '404': { content: { 'application/problem+json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/api/orders': {
        post: {
          security: [{ bearerAuth: [] }],
          parameters: [
            { name: 'idempotency-key', in: 'header', required: false, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateOrder' } } },
          },
          responses: { '201': { content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/healthz': { get: { security: [], responses: { '200': {} } } },
    },
    components: {
      schemas: {
        Product: {
          type: 'object',
          properties: {
            sku: { type: 'string' },
            price: { anyOf: [{ $ref: '#/components/schemas/Money' }, { type: 'null' }] },
            status: { type: 'string', enum: ['active', 'archived'] },
            tags: { type: 'array', items: { type: 'string' } },
          },
          required: ['sku', 'price', 'status'],
        },
        Money: {
          type: 'object',
          properties: { amount: { type: 'integer' }, currency: { type: 'string' } },
          required: ['amount', 'currency'],
        },
        CreateOrder: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lines: {
              type: 'array',
              items: {
                type: 'object',
                properties: { sku: { type: 'string' }, qty: { type: 'integer' } },
                required: ['sku', 'qty'],
              },
            },
            channel: { type: 'string', enum: ['web', 'pos', 'marketplace'] },
            note: { type: 'string' },
          },
          required: ['lines'],
        },
      },
    },
  };
}

type Doc = ReturnType<typeof doc>;
const idsAfter = (change: (d: Doc) => void) => {
  const after = doc();
  change(after);
  return breakingChanges(doc(), after).map((c) => c.id);
};
const schemas = (d: Doc) => d.components.schemas as Record<string, { [k: string]: unknown }>;

describe('breakingChanges', () => {
  test('the same document, and additions a client does not notice, break nothing', () => {
    expect(breakingChanges(doc(), doc())).toEqual([]);
    const ids = idsAfter((d) => {
      (d.paths as Record<string, unknown>)['/api/warehouses'] = { get: { responses: {} } };
      (d.components.schemas.CreateOrder.properties as Record<string, unknown>).customer = { type: 'object' };
      (d.components.schemas.Product.properties as Record<string, unknown>).barcode = { type: 'string' };
      d.components.schemas.CreateOrder.properties.channel.enum.push('phone');
      (d.paths['/api/orders'].post.responses as Record<string, unknown>)['409'] = {};
    });
    expect(ids).toEqual([]);
  });

  test('a removed path or operation', () => {
    expect(idsAfter((d) => delete (d.paths as Record<string, unknown>)['/api/orders'])).toEqual([
      'removed-operation POST /api/orders',
    ]);
  });

  test('a removed response status or body type', () => {
    expect(
      idsAfter(
        (d) => delete (d.paths['/api/products/{sku}'].get.responses as Record<string, unknown>)['404'],
      ),
    ).toEqual(['removed-response GET /api/products/{sku} 404']);
    expect(
      idsAfter((d) => {
        d.paths['/api/orders'].post.responses['201'].content = {
          'text/csv': { schema: { type: 'object' } },
        } as never;
      }),
    ).toEqual(['removed-response-media-type POST /api/orders 201 application/json']);
  });

  test('a response property removed, retyped, made optional or nullable, or an enum widened', () => {
    expect(
      idsAfter((d) => delete (d.components.schemas.Product.properties as Record<string, unknown>).sku),
    ).toEqual(['removed-response-property GET /api/products/{sku} 200 .sku']);
    expect(
      idsAfter(
        (d) => (schemas(d).Money!.properties = { amount: { type: 'string' }, currency: { type: 'string' } }),
      ),
    ).toEqual(['retyped-response-property GET /api/products/{sku} 200 .price .amount']);
    expect(idsAfter((d) => (d.components.schemas.Product.required = ['sku', 'status']))).toEqual([
      'optional-response-property GET /api/products/{sku} 200 .price',
    ]);
    expect(
      idsAfter((d) => (d.components.schemas.Product.properties.sku = { type: ['string', 'null'] } as never)),
    ).toEqual(['retyped-response-property GET /api/products/{sku} 200 .sku']);
    expect(idsAfter((d) => d.components.schemas.Product.properties.status.enum.push('draft'))).toEqual([
      'widened-response-enum GET /api/products/{sku} 200 .status',
    ]);
    expect(
      idsAfter((d) => (d.components.schemas.Product.properties.tags.items = { type: 'integer' })),
    ).toEqual(['retyped-response-property GET /api/products/{sku} 200 .tags[]']);
  });

  test('a new required request property, parameter or body', () => {
    expect(idsAfter((d) => (d.components.schemas.CreateOrder.required = ['lines', 'channel']))).toEqual([
      'new-required-request-property POST /api/orders body .channel',
    ]);
    expect(
      idsAfter((d) => d.components.schemas.CreateOrder.properties.lines.items.required.push('warehouse')),
    ).toEqual(['new-required-request-property POST /api/orders body .lines[] .warehouse']);
    expect(idsAfter((d) => (d.paths['/api/orders'].post.parameters[0]!.required = true))).toEqual([
      'new-required-parameter POST /api/orders header idempotency-key',
    ]);
    expect(
      idsAfter((d) =>
        (d.paths['/api/products/{sku}'].get.parameters as unknown[]).push({
          name: 'warehouseId',
          in: 'query',
          required: true,
          schema: { type: 'string' },
        }),
      ),
    ).toEqual(['new-required-parameter GET /api/products/{sku} query warehouseId']);
    expect(
      idsAfter((d) => {
        (d.paths['/healthz'].get as Record<string, unknown>).requestBody = { required: true, content: {} };
      }),
    ).toEqual(['new-required-body GET /healthz']);
  });

  test('a narrowed request enum, a retyped or refused request property, new credentials', () => {
    expect(
      idsAfter((d) => (d.components.schemas.CreateOrder.properties.channel.enum = ['web', 'pos'])),
    ).toEqual(['narrowed-request-enum POST /api/orders body .channel']);
    expect(
      idsAfter(
        (d) =>
          ((d.components.schemas.CreateOrder.properties.note as unknown) = {
            type: 'string',
            enum: ['gift'],
          }),
      ),
    ).toEqual(['narrowed-request-enum POST /api/orders body .note']);
    expect(
      idsAfter(
        (d) => (d.components.schemas.CreateOrder.properties.lines.items.properties.qty = { type: 'string' }),
      ),
    ).toEqual(['retyped-request-property POST /api/orders body .lines[] .qty']);
    expect(
      idsAfter((d) => delete (d.components.schemas.CreateOrder.properties as Record<string, unknown>).note),
    ).toEqual(['removed-request-property POST /api/orders body .note']);
    expect(idsAfter((d) => (d.paths['/healthz'].get.security = [{ bearerAuth: [] }] as never))).toEqual([
      'new-security GET /healthz',
    ]);
  });

  test('widening what a request accepts breaks nothing', () => {
    expect(
      idsAfter((d) => {
        d.components.schemas.CreateOrder.properties.lines.items.properties.qty = { type: 'number' };
        (d.components.schemas.CreateOrder as Record<string, unknown>).additionalProperties = true;
        d.components.schemas.CreateOrder.properties.lines.items.required = ['sku'];
      }),
    ).toEqual([]);
  });
});

test('the allowlist lets through the changes it names with a reason, and only those', () => {
  const changes = breakingChanges(
    doc(),
    (() => {
      const d = doc();
      delete (d.paths as Record<string, unknown>)['/api/orders'];
      delete (d.components.schemas.Product.properties as Record<string, unknown>).sku;
      return d;
    })(),
  );
  const { refused, unreasoned } = unallowed(changes, [
    { change: 'removed-operation POST /api/orders', reason: 'Orders moved to /api/v2/orders (issue 99)' },
    { change: 'removed-response-property GET /api/products/{sku} 200 .sku', reason: ' ' },
  ]);
  expect(refused.map((c) => c.id)).toEqual(['removed-response-property GET /api/products/{sku} 200 .sku']);
  expect(unreasoned.map((a) => a.change)).toEqual([
    'removed-response-property GET /api/products/{sku} 200 .sku',
  ]);
});

test('the previous version is the one before the last commit that changed openapi.json, or HEAD’s while it has changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-openapi-history-'));
  const git = (...args: string[]) => {
    const run = Bun.spawnSync(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
    });
    if (run.exitCode !== 0) throw new Error(run.stderr.toString());
  };
  const write = (version: string) =>
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify({ info: { version } }));
  try {
    git('init', '-q');
    expect(previousVersion(dir)).toBeUndefined();
    write('1');
    git('add', '.');
    git('commit', '-qm', 'v1');
    expect(previousVersion(dir)).toBeUndefined();
    write('2');
    git('commit', '-qam', 'v2');
    writeFileSync(join(dir, 'README'), 'unrelated');
    git('add', '.');
    git('commit', '-qm', 'an unrelated commit');
    expect(previousVersion(dir)).toMatchObject({ text: JSON.stringify({ info: { version: '1' } }) });
    write('3');
    expect(previousVersion(dir)).toEqual({ text: JSON.stringify({ info: { version: '2' } }), from: 'HEAD' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
