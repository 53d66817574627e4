/**
 * The part of Kustomize our manifests use (deploy/k8s), in TypeScript, so `bun run deploy:check`
 * needs no kustomize binary: resources (files and directories), labels (metadata only),
 * namespace, images (newName/newTag) and patches by path (a strategic merge: objects merged
 * key by key, lists of named items by name, other lists replaced). Anything else in a
 * kustomization.yaml is refused, so a manifest this cannot build is never checked half-built.
 * `kubectl apply -k` builds the same directories (scripts/deploy-check.test.ts compares the two
 * where kubectl is installed).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

const understood = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);

/** The YAML documents of a file, empty ones dropped. */
export function readManifests(file: string): Manifest[] {
  const parsed = Bun.YAML.parse(readFileSync(file, 'utf8')) as unknown;
  const docs = Array.isArray(parsed) && file.endsWith('.yaml') && isMultiDocument(file) ? parsed : [parsed];
  return docs.filter((d): d is Manifest => d !== null && typeof d === 'object');
}

/** Bun.YAML.parse answers an array for several documents, and also for one document that is a list. */
const isMultiDocument = (file: string) => /^---\s*$/m.test(readFileSync(file, 'utf8'));

function readKustomization(dir: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = Bun.YAML.parse(readFileSync(file, 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((key) => !understood.has(key));
  if (unknown.length > 0)
    throw new Error(`${file}: ${unknown.join(', ')} not supported by scripts/kustomize.ts`);
  if (k.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  return k;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A strategic merge of `patch` into `target` (a new value; neither is changed). */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isObject(target) && isObject(patch)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch))
      merged[key] = value === null ? undefined : strategicMerge(target[key], value);
    return merged;
  }
  const named = (list: unknown[]) => list.every((item) => isObject(item) && typeof item.name === 'string');
  if (Array.isArray(target) && Array.isArray(patch) && named(target) && named(patch)) {
    const merged = target.map((item) => {
      const over = patch.find((p) => (p as { name: string }).name === (item as { name: string }).name);
      return over ? strategicMerge(item, over) : item;
    });
    const added = patch.filter(
      (p) => !target.some((t) => (t as { name: string }).name === (p as { name: string }).name),
    );
    return [...merged, ...added];
  }
  return patch;
}

const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

/** Every container of a workload (Deployment, Job, ...), to set images on. */
function containersOf(m: Manifest): { image?: string }[] {
  const spec = (m.spec as { template?: { spec?: { containers?: unknown[]; initContainers?: unknown[] } } })
    ?.template?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])] as { image?: string }[];
}

/** What `kustomize build dir` would print, as objects. */
export function build(dir: string): Manifest[] {
  const k = readKustomization(dir);
  let manifests = (k.resources ?? []).flatMap((entry) => {
    const path = resolve(dir, entry);
    return statSync(path).isDirectory() ? build(path) : readManifests(path);
  });
  for (const { path } of k.patches ?? [])
    for (const patch of readManifests(resolve(dir, path))) {
      const at = manifests.findIndex((m) => key(m) === key(patch));
      if (at < 0) throw new Error(`${join(dir, path)}: patches ${key(patch)}, which no resource defines`);
      manifests[at] = strategicMerge(manifests[at], patch) as Manifest;
    }
  manifests = manifests.map((m) => structuredClone(m));
  for (const m of manifests) {
    for (const { pairs } of k.labels ?? []) m.metadata.labels = { ...m.metadata.labels, ...pairs };
    if (k.namespace) m.metadata.namespace = k.namespace;
    for (const container of containersOf(m)) {
      const image = k.images?.find((i) => i.name === container.image?.split(':')[0]);
      if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
    }
  }
  return manifests;
}
