/**
 * `bun run graphql:schema`: writes edge/graphql/schema.graphql, the GraphQL schema as the edge
 * serves it (printSchema of edge/graphql/schema.ts). edge/graphql/schema.test.ts fails while the
 * committed file differs from the code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { graphqlSchema } from '../edge/graphql/schema.ts';

export const GRAPHQL_SCHEMA_FILE = join(import.meta.dir, '..', 'edge', 'graphql', 'schema.graphql');

export const printedSchema = () => `${printSchema(graphqlSchema)}\n`;

if (import.meta.main) {
  writeFileSync(GRAPHQL_SCHEMA_FILE, printedSchema());
  console.log(`wrote ${GRAPHQL_SCHEMA_FILE}`);
}
