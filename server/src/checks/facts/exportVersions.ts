import * as path from 'node:path';
import { findModuleSymvers, moduleSymversCandidates, type TargetIndex } from '../../target';
import type { ExportVersions } from './functionFacts';

/**
 * Whether the kernel is built with CONFIG_MODVERSIONS, and what it exports: from the target's
 * `__crc_*` symbols, else from a Module.symvers found for the target or in the source root
 * (which also lists what modules of the tree export). Undefined when neither tells.
 */
export function exportVersions(index: TargetIndex | undefined, sourceRoot: string | undefined): ExportVersions | undefined {
  const symvers = findModuleSymvers(moduleSymversCandidates(index?.path, sourceRoot));
  const inImage = index?.hasExports ? index : undefined;
  const exported = (name: string): boolean => inImage?.exported(name) !== undefined || symvers?.exports.has(name) === true;
  if (inImage?.modversions) return { source: `the __crc_* symbols of ${path.basename(inImage.path)}`, modversions: true, exported };
  if (symvers) return { source: symvers.file, modversions: symvers.modversions, exported };
  if (inImage) return { source: `${path.basename(inImage.path)}, which has no __crc_* symbols`, modversions: false, exported };
  return undefined;
}
