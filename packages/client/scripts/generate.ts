/**
 * `bun run client:generate`: writes src/api.d.ts, the types of every path, body and response,
 * from the committed OpenAPI document (openapi.json at the repository root). The package's test
 * generates again and compares, so the committed types cannot drift from the document.
 *
 * openapi-typescript 7 builds its output with the TypeScript 5 compiler API, which TypeScript 7
 * (the repository's compiler) no longer has; so this package's own devDependencies hold both,
 * and the install links TypeScript 5 to it alone (openapi-ts/openapi-typescript#2841).
 */
import { join } from 'node:path';

const packageDir = join(import.meta.dir, '..');
const repoRoot = join(packageDir, '../..');
export const documentPath = join(repoRoot, 'openapi.json');
export const typesPath = join(packageDir, 'src/api.d.ts');

async function run(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, {
    // Not the repository root: openapi-typescript would read a redocly.yaml there as its config.
    cwd: packageDir,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.slice(0, 2).join(' ')} failed (${code}): ${err || out}`);
  return out;
}

/** The text src/api.d.ts should hold for the document at `docPath`. */
export async function generateTypes(docPath = documentPath): Promise<string> {
  return run([
    join(packageDir, 'node_modules/.bin/openapi-typescript'),
    docPath,
    // A field with a default is optional in a request body: the server fills it in.
    '--default-non-nullable=false',
  ]);
}

if (import.meta.main) {
  await Bun.write(typesPath, await generateTypes());
  console.log(`wrote ${typesPath} from ${documentPath}`);
}
