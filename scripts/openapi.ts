/**
 * `bun run openapi`: writes openapi.json, the public API document exactly as the edge serves it
 * at GET /openapi.json, built in process (core's routes and the edge's, merged as the edge
 * merges them) with no database or running stack. `--check` only says whether it is current.
 * scripts/openapi.test.ts checks the committed file against the one a real edge serves.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plugin } from 'bun';
import { coreOpenApiDocument } from '../core/app.ts';
import { edgeDocumentConfig, mergeOpenApi, type OpenApiDoc } from '../edge/openapi-merge.ts';

export const OPENAPI_FILE = join(import.meta.dir, '..', 'openapi.json');

// The worker module exports its Durable Object classes, whose base class only workerd provides;
// building the document never instantiates one.
plugin({
  name: 'cloudflare-workers-for-documentation',
  setup(build) {
    build.module('cloudflare:workers', () => ({ exports: { DurableObject: class {} }, loader: 'object' }));
  },
});

const EDGE_WORKER = join(import.meta.dir, '..', 'edge', 'worker.ts');
type DocumentedApp = { getOpenAPI31Document(config: typeof edgeDocumentConfig): OpenApiDoc };

/** The document as the edge serves it. */
export async function buildOpenApi(): Promise<OpenApiDoc> {
  // Typed here, not by the import: the worker typechecks with Workers' types (edge/tsconfig.json).
  const worker: { default: DocumentedApp } = await import(EDGE_WORKER);
  const edgeDoc = worker.default.getOpenAPI31Document(edgeDocumentConfig);
  return mergeOpenApi(edgeDoc, [coreOpenApiDocument() as unknown as OpenApiDoc]);
}

/** The file's text for a document: two-space JSON and a final newline, as biome formats JSON. */
export const openApiText = (doc: OpenApiDoc) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.main) {
  const text = openApiText(await buildOpenApi());
  if (process.argv.includes('--check')) {
    if (readFileSync(OPENAPI_FILE, 'utf8') !== text) {
      console.error('openapi.json is out of date: run `bun run openapi` and commit it.');
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${OPENAPI_FILE}`);
  }
}
