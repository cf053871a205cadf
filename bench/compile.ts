import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root; bench files live in its bench/ folder. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Inside node_modules, so that neither ESLint nor Prettier look at it and `npm ci` clears it;
// bare imports (undici) still resolve up the tree to the repository's node_modules.
const OUT_DIR = join(REPO_ROOT, 'bench', 'node_modules', '.cache', 'switchyard-bench');

const RELATIVE_IMPORT = /from\s+'(\.{1,2}\/[^']+)\.js'/g;

/**
 * Child processes (the mock upstream, the Node floor) run on plain `node`, not through tsx:
 * a loader would add its own memory and a hooks thread to the process being measured. This
 * transpiles an entry file and every file it imports relatively, and returns the entry's
 * compiled path.
 */
export function compileChild(entry: string): string {
  const pending = [resolve(REPO_ROOT, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop();
    if (file === undefined || done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      const specifier = match[1];
      if (specifier !== undefined) pending.push(resolve(dirname(file), `${specifier}.ts`));
    }
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
      },
    });
    const target = join(OUT_DIR, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  // The cache folder sits outside any package scope that says "module".
  writeFileSync(join(OUT_DIR, 'package.json'), '{ "type": "module" }\n');
  return join(OUT_DIR, entry).replace(/\.ts$/, '.js');
}
