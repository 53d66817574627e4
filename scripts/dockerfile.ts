/**
 * Our Dockerfiles read as data (deploy/docker/*.Dockerfile), and the rules they must keep beyond
 * what dockerfilelint checks: a pinned official Bun base, several stages, a non-root user, a
 * HEALTHCHECK, production dependencies only, exec-form commands. `bun run deploy:check` applies
 * the rules; scripts/images.test.ts runs each image's CMD and HEALTHCHECK from the files it copies.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions in order, continuation lines joined, comments dropped. */
export function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return;
    const part = trimmed.endsWith('\\') ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${part}` }
      : { line: index + 1, text: part };
    if (trimmed.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    found.push({ line: pending.line, keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = undefined;
  });
  return found;
}

/** The build stages, each from its FROM to the next. ARGs before the first FROM are dropped. */
export function stages(text: string): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      result.push({ from: image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

/** The image's own ARG defaults (ARG NAME=value before the first FROM), to read FROM lines with. */
function argDefaults(text: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const { keyword, args } of instructions(text)) {
    if (keyword === 'FROM') break;
    const [name, value] = args.split('=');
    if (keyword === 'ARG' && name && value !== undefined) defaults[name] = value;
  }
  return defaults;
}

const expand = (image: string, args: Record<string, string>) =>
  image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');

/** ENV KEY=value pairs of a stage (the multi-pair form we write). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions)
    if (keyword === 'ENV')
      for (const pair of args.split(/\s+/)) {
        const [key, ...value] = pair.split('=');
        if (key) env[key] = value.join('=');
      }
  return env;
}

/** A JSON exec-form argument list (CMD ["bun", "core/main.ts"]), or undefined in shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The final stage's CMD and HEALTHCHECK command as argument lists. */
export function entry(stage: Stage): { cmd: string[]; healthcheck: string[] } {
  const last = (keyword: string) =>
    stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args ?? '';
  const health = last('HEALTHCHECK');
  return {
    cmd: execForm(last('CMD')) ?? [],
    healthcheck: execForm(health.slice(health.indexOf('CMD') + 3).trim()) ?? [],
  };
}

/** What breaks our rules, as "file:line message" (empty: it keeps them all). */
export function dockerfileRuleViolations(file: string, text = readFileSync(file, 'utf8')): string[] {
  const all = stages(text);
  const args = argDefaults(text);
  const final = all.at(-1);
  const problems: string[] = [];
  const at = (line: number | undefined, message: string) => problems.push(`${file}:${line ?? 1} ${message}`);
  if (!final) return [`${file}:1 no FROM`];
  if (all.length < 2)
    at(1, 'one stage: install dependencies in a build stage and copy them into the runtime');
  for (const stage of all) {
    const image = expand(stage.from, args);
    const tag = image.split(':')[1] ?? '';
    if (!image.startsWith('oven/bun:')) at(1, `base ${image} is not Bun's official image (oven/bun)`);
    if (!/^\d+\.\d+\.\d+/.test(tag)) at(1, `base ${image} is not pinned to a version (oven/bun:X.Y.Z-slim)`);
    if (!tag.endsWith('-slim')) at(1, `base ${image} is not the slim variant`);
  }
  for (const { line, keyword, args: run } of all.flatMap((s) => s.instructions))
    if (keyword === 'RUN' && /\bbun install\b/.test(run) && !/--production/.test(run))
      at(line, 'bun install without --production: the image would carry development dependencies');
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.trim();
  if (!user || user === 'root' || user === '0')
    at(users.at(-1)?.line, 'the runtime stage runs as root: add USER bun');
  const { cmd, healthcheck } = entry(final);
  if (cmd.length === 0)
    at(undefined, 'no CMD in exec form (["bun", "…"]): signals must reach Bun, not a shell');
  if (healthcheck.length === 0) at(undefined, 'no HEALTHCHECK … CMD in exec form');
  return problems;
}
