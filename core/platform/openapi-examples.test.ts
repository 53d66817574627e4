import { expect, test } from 'bun:test';
import { withExamples } from './openapi-examples.ts';

const operation = (schema: object, extra: object = {}) => ({
  paths: {
    '/api/things': {
      post: {
        ...extra,
        requestBody: { content: { 'application/json': { schema } } },
        responses: {
          '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          sku: { type: 'string', example: 'HAM-16OZ' },
          status: { type: 'string', enum: ['active', 'archived'] },
          note: { type: ['string', 'null'], example: 'Fragile' },
          price: { anyOf: [{ $ref: '#/components/schemas/Money' }, { type: 'null' }] },
          tags: { type: 'array', items: { type: 'string', example: 'tools' } },
          comment: { type: 'string' },
        },
        required: ['id', 'sku', 'status', 'note', 'price', 'tags'],
      },
      Money: {
        type: 'object',
        properties: { amount: { type: 'integer', example: 1299 } },
        required: ['amount'],
      },
    },
  },
});

test('examples are put together from the fields: their own, enums, formats, references, nullable and arrays', () => {
  const doc = withExamples(
    operation({ type: 'object', properties: { sku: { type: 'string', example: 'X-1' } } }),
  );
  const post = doc.paths['/api/things'].post as unknown as {
    requestBody: { content: Record<string, { example: unknown }> };
    responses: Record<string, { content: Record<string, { example: unknown }> }>;
  };
  expect(post.requestBody.content['application/json']!.example).toEqual({ sku: 'X-1' });
  // The optional field without an example (comment) is left out, not made up.
  expect(post.responses['201']!.content['application/json']!.example).toEqual({
    id: '0b9c5d1e-8a4f-4e7b-9a3c-2d1f0e6b7a58',
    sku: 'HAM-16OZ',
    status: 'active',
    note: 'Fragile',
    price: { amount: 1299 },
    tags: ['tools'],
  });
});

test('a required field with nothing to show it by is an error naming it; an example written by hand stays', () => {
  const missing = operation({
    type: 'object',
    properties: { name: { type: 'string' }, code: { type: 'string', example: 'HEL' } },
    required: ['name'],
  });
  expect(() => withExamples(missing)).toThrow(
    'POST /api/things request body application/json.name: no example',
  );
  const written = operation({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] });
  const body = written.paths['/api/things'].post.requestBody.content['application/json'] as {
    example?: unknown;
  };
  body.example = { name: 'Helsinki' };
  expect(() => withExamples(written)).not.toThrow();
  expect(body.example).toEqual({ name: 'Helsinki' });
});
