import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DifferentialLoader } from './loader';

/** Every loader of loaders/ (each file exports `loader`), by name: adding one is adding its file. */
export async function allLoaders(only?: string): Promise<DifferentialLoader[]> {
  const dir = path.join(__dirname, '..', 'loaders');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const loaded = await Promise.all(files.map(async (f) => ((await import(pathToFileURL(path.join(dir, f)).href)) as { loader: DifferentialLoader }).loader));
  return loaded.filter((l) => !only || l.name === only);
}
