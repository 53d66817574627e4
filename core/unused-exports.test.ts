/**
 * Modules whose every export someone must use: the one error hierarchy and the order model. An
 * error class or a state-machine helper no source file uses is dead code that misleads readers
 * into thinking it is thrown or consulted somewhere.
 */
import { expect, test } from 'bun:test';
import { relative } from 'node:path';

const root = `${import.meta.dir}/..`;
const checked = ['core/platform/problem.ts', 'core/orders/order-model.ts'];

async function sourcesBesides(file: string): Promise<string> {
  const texts: string[] = [];
  for (const dir of ['core', 'edge', 'jobs', 'db', 'scripts', 'bench'])
    for await (const path of new Bun.Glob('**/*.ts').scan({ cwd: `${root}/${dir}` })) {
      const name = `${dir}/${path}`;
      if (name !== file && !name.endsWith('.test.ts')) texts.push(await Bun.file(`${root}/${name}`).text());
    }
  return texts.join('\n');
}

for (const file of checked)
  test(`every runtime export of ${file} is used by another source file`, async () => {
    const exports = Object.keys(await import(`${root}/${file}`));
    const others = await sourcesBesides(relative(root, `${root}/${file}`));
    expect(exports.filter((name) => !new RegExp(`\\b${name}\\b`).test(others))).toEqual([]);
  });
