import { KlpFile, LivepatchKernel } from './kernelPort';
import { EINVAL } from '../errno';
import { KlpObject, KlpPatch } from './model';

// The sysfs interface of kernel/livepatch/core.c in 6.1:
//   /sys/kernel/livepatch/<patch>/{enabled (rw), transition (ro), force (wo)}
//   /sys/kernel/livepatch/<patch>/<object>/patched (ro)
//   /sys/kernel/livepatch/<patch>/<object>/<function,sympos>/ (a directory with no attributes)
// A file registered with neither read nor write is a directory; a file without read refuses
// to open for reading (kernfs: -EACCES), as `force` does.

export const LIVEPATCH_ROOT = '/sys/kernel/livepatch';

/** kstrtobool() of 6.1: the first character of y/t/1 or n/f/0 (any case), or on/off. */
export function kstrtobool(text: string): boolean | undefined {
  const c = text[0];
  if (c === 'y' || c === 'Y' || c === 't' || c === 'T' || c === '1') return true;
  if (c === 'n' || c === 'N' || c === 'f' || c === 'F' || c === '0') return false;
  if (c === 'o' || c === 'O') {
    const d = text[1];
    if (d === 'n' || d === 'N') return true;
    if (d === 'f' || d === 'F') return false;
  }
  return undefined;
}

/** The stores, in core.c: they return 0 or -errno. */
export interface PatchStores {
  enabledStore(patch: KlpPatch, enabled: boolean): number;
  forceStore(patch: KlpPatch): number;
  isInTransition(patch: KlpPatch): boolean;
}

export function patchDir(patch: KlpPatch): string {
  return `${LIVEPATCH_ROOT}/${patch.name}`;
}

export function objectDir(object: KlpObject): string {
  return `${patchDir(object.patch)}/${object.displayName}`;
}

const flag = (value: boolean): string => `${value ? 1 : 0}\n`;

/** kobject_add() of the patch and its attributes. */
export function registerPatch(kernel: LivepatchKernel, patch: KlpPatch, stores: PatchStores): void {
  const dir = patchDir(patch);
  const boolStore =
    (store: (value: boolean) => number): KlpFile['write'] =>
    (value) => {
      const parsed = kstrtobool(value);
      return parsed === undefined ? -EINVAL : store(parsed);
    };
  kernel.registerFile(dir, {});
  kernel.registerFile(`${dir}/enabled`, { read: () => flag(patch.enabled), write: boolStore((v) => stores.enabledStore(patch, v)) });
  kernel.registerFile(`${dir}/transition`, { read: () => flag(stores.isInTransition(patch)) });
  kernel.registerFile(`${dir}/force`, { write: boolStore((v) => (v ? stores.forceStore(patch) : 0)) });
}

/** kobject_add() of an object and its funcs. */
export function registerObject(kernel: LivepatchKernel, object: KlpObject): void {
  const dir = objectDir(object);
  kernel.registerFile(dir, {});
  kernel.registerFile(`${dir}/patched`, { read: () => flag(object.patched) });
  for (const func of object.funcs) kernel.registerFile(`${dir}/${func.sysfsName}`, {});
}
