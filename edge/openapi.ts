import { BadGatewayError } from '../core/platform/problem.ts';
import { REQUEST_ID_HEADER } from '../core/platform/request-id.ts';
import { serviceNames } from '../core/services.ts';
import { type EdgeConfig, serviceUrl } from './env.ts';
import { mergeOpenApi, type OpenApiDoc } from './openapi-merge.ts';

const CACHE_MS = 60_000;
let cache: { at: number; doc: OpenApiDoc } | undefined;

/**
 * The public OpenAPI 3.1 document: the edge's own routes merged over the documents of the core
 * processes it routes to (one, or one per service when they run apart). Cached for a minute.
 */
export async function mergedOpenApi(
  cfg: EdgeConfig,
  edgeDoc: OpenApiDoc,
  requestId: string,
): Promise<OpenApiDoc> {
  if (cache && Date.now() - cache.at < CACHE_MS) return cache.doc;
  const urls = [...new Set(serviceNames.map((s) => serviceUrl(cfg, s)))];
  const coreDocs = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(new URL('/openapi.json', url), {
          headers: { [REQUEST_ID_HEADER]: requestId },
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) throw new Error(String(res.status));
        return (await res.json()) as OpenApiDoc;
      } catch {
        throw new BadGatewayError(`The API description of ${url} could not be fetched; is core running?`);
      }
    }),
  );
  const merged = mergeOpenApi(edgeDoc, coreDocs);
  cache = { at: Date.now(), doc: merged };
  return merged;
}
