import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Scratch {
  /** A HOME of its own: no login, settings or session of the developer's is read or written. */
  readonly home: string;
  /** Where the agent works and where its tools run. */
  readonly cwd: string;
  remove(): Promise<void>;
}

export async function makeScratch(name: string): Promise<Scratch> {
  const root = await mkdtemp(join(tmpdir(), `switchyard-e2e-${name}-`));
  const home = join(root, 'home');
  const cwd = join(root, 'work');
  await mkdir(home);
  await mkdir(cwd);
  return {
    home,
    cwd,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
