/**
 * The committed schema.graphql is the code's schema, the persisted queries are what their hashes
 * say and valid against it, and the depth and cost limits count as documented.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { getOperationAST, parse, validate } from 'graphql';
import { GRAPHQL_SCHEMA_FILE, printedSchema } from '../../scripts/graphql-schema.ts';
import { checkLimits, LIST_ITEMS_ASSUMED, MAX_COST, MAX_DEPTH } from './limits.ts';
import persisted from './persisted-queries.json';
import { graphqlSchema } from './schema.ts';

test('schema.graphql is the schema the code builds (run `bun run graphql:schema`)', () => {
  expect(readFileSync(GRAPHQL_SCHEMA_FILE, 'utf8')).toBe(printedSchema());
});

describe('persisted queries', () => {
  for (const [id, query] of Object.entries(persisted as Record<string, string>)) {
    test(`${id.slice(0, 12)}… is the sha256 of its text and a valid query`, () => {
      expect(new Bun.CryptoHasher('sha256').update(query).digest('hex')).toBe(id);
      expect(validate(graphqlSchema, parse(query)).map((e) => e.message)).toEqual([]);
    });
  }
});

const limitsOf = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return checkLimits(graphqlSchema, document, operation, variables);
};

describe('limits', () => {
  test('a page counts its items once per `first`, a list below by the assumed size', () => {
    const { cost, depth, errors } = limitsOf(
      '{ products(first: 100) { items { sku availability { available } } } }',
    );
    // products 1 + 100 × (items 1 + sku 1 + availability (1 + available 1))
    expect(cost).toBe(1 + 100 * 4);
    expect(depth).toBe(4);
    expect(errors).toEqual([]);
    const lines = limitsOf('{ order(id: "x") { lines { sku qty } } }');
    expect(lines.cost).toBe(1 + 1 + LIST_ITEMS_ASSUMED * 2);
  });

  test('`first` from a variable and from the default count the same way', () => {
    const byVariable = limitsOf('query($n: Int) { orders(first: $n) { items { id } } }', { n: 7 });
    expect(byVariable.cost).toBe(1 + 7 * 2);
    expect(limitsOf('{ orders { items { id } } }').cost).toBe(1 + 50 * 2);
  });

  test('fragments are followed for depth and cost', () => {
    const viaFragment = limitsOf(
      'query { products(first: 10) { ...P } } fragment P on ProductPage { items { availability { warehouses { code } } } }',
    );
    expect(viaFragment.cost).toBe(1 + 10 * (1 + 1 + 1 + LIST_ITEMS_ASSUMED));
    expect(viaFragment.depth).toBe(5);
  });

  test(`deeper than ${MAX_DEPTH} and costlier than ${MAX_COST} are refused, and a page over 200`, () => {
    const deep = limitsOf(
      '{ orders(first: 1) { items { lines { product { availability { warehouses { code } } } } } } }',
    );
    expect(deep.depth).toBe(7);
    expect(deep.errors.map((e) => e.extensions.code)).toEqual([]);
    const costly = limitsOf(
      '{ orders(first: 200) { items { lines { product { availability { warehouses { code available } } } } } } }',
    );
    expect(costly.errors.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COSTLY']);
    expect(
      limitsOf('{ products(first: 201) { items { sku } } }').errors.map((e) => e.extensions.code),
    ).toEqual(['BAD_USER_INPUT']);
  });

  test('introspection is free of the limits', () => {
    const { cost, errors } = limitsOf(
      '{ __schema { types { name fields { name type { ofType { ofType { name } } } } } } }',
    );
    expect(cost).toBe(0);
    expect(errors).toEqual([]);
  });
});
