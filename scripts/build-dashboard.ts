import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'src/admin/dashboard');

/**
 * Bundles the dashboard (its TypeScript, uPlot, the styles) into content-hashed files under
 * `outDir/assets/` and writes `outDir/index.html` naming them. Everything comes from
 * node_modules at build time: the page loads nothing from anywhere else.
 */
export async function buildDashboard(outDir = join(root, 'dist/dashboard')): Promise<void> {
  const assets = join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: join(source, 'main.ts'), style: join(source, 'dashboard.css') },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    tsconfig: join(source, 'tsconfig.json'),
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs);
  const named = (suffix: string): string => {
    const found = outputs.find((path) => path.endsWith(suffix));
    if (found === undefined) throw new Error(`the dashboard build wrote no ${suffix} file`);
    return basename(found);
  };
  const page = (await readFile(join(source, 'index.html'), 'utf8'))
    .replace('__JS__', named('.js'))
    .replace('__CSS__', named('.css'));
  await writeFile(join(outDir, 'index.html'), page);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDashboard(process.argv[2]);
}
