import { expect, test } from 'bun:test';
import { mergeOpenApi, type OpenApiDoc } from './openapi-merge.ts';

const json = { 'application/json': { schema: { $ref: '#/components/schemas/Order' }, example: {} } };
const ordersCore: OpenApiDoc = {
  paths: {
    '/healthz': {
      get: {
        responses: {
          '200': {
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/CoreHealth' }, example: {} },
            },
          },
        },
      },
    },
    '/api/orders': { get: { responses: { '200': { content: json } } } },
  },
  components: {
    schemas: {
      Order: { type: 'object', properties: { line: { $ref: '#/components/schemas/Line' } } },
      Line: { type: 'object' },
      CoreHealth: { type: 'object' },
    },
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
  },
};
const catalogCore: OpenApiDoc = {
  paths: { '/api/barcodes/{code}': { get: { responses: {} } }, '/openapi.json': { get: { responses: {} } } },
  components: { schemas: { Unused: { type: 'string' } } },
};
const edge: OpenApiDoc = {
  openapi: '3.1.0',
  paths: { '/healthz': { get: { responses: {} } }, '/openapi.json': { get: { responses: {} } } },
};

test('the edge answers its own paths; paths sorted, unused schemas dropped, the same however core is split', () => {
  const apart = mergeOpenApi(edge, [ordersCore, catalogCore]);
  expect(Object.keys(apart.paths ?? {})).toEqual([
    '/api/barcodes/{code}',
    '/api/orders',
    '/healthz',
    '/openapi.json',
  ]);
  expect(apart.paths?.['/healthz']).toEqual(edge.paths?.['/healthz']);
  expect(Object.keys(apart.components?.schemas ?? {})).toEqual(['Line', 'Order']);
  expect(apart.components?.securitySchemes).toEqual(ordersCore.components?.securitySchemes);
  const together = mergeOpenApi(edge, [
    {
      paths: { ...catalogCore.paths, ...ordersCore.paths },
      components: {
        ...ordersCore.components,
        schemas: { ...catalogCore.components?.schemas, ...ordersCore.components?.schemas },
      },
    },
  ]);
  expect(JSON.stringify(together)).toBe(JSON.stringify(apart));
});

test("core's /metrics and its metricsToken scheme stay out of the public document", () => {
  const withMetrics: OpenApiDoc = {
    paths: {
      '/api/orders': { get: { security: [{ bearerAuth: [] }], responses: {} } },
      '/metrics': { get: { security: [{ metricsToken: [] }], responses: {} } },
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        metricsToken: { type: 'http', scheme: 'bearer' },
      },
    },
  };
  const merged = mergeOpenApi(edge, [withMetrics]);
  expect(Object.keys(merged.paths ?? {})).not.toContain('/metrics');
  expect(Object.keys(merged.components?.securitySchemes ?? {})).toEqual(['bearerAuth']);
});
