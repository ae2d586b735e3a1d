import { LoaderError, Relocate } from '../loader';
import { Memory } from '../memory';

/**
 * __apply_relocate_add() of 6.1's arch/x86/kernel/module.c, for modules and for the livepatch
 * core's .klp.rela sections: the place must still be zero, the value is written, then
 * R_X86_64_32 and 32S are checked for overflow (PC32 and PLT32 never are: the check is under
 * `#if 0`), any other type is refused. Refusals carry the kernel's lines, each with the file's
 * pr_fmt prefix (`module: `, KBUILD_MODNAME of a built-in file), one per line of the message.
 */
export function linuxRelocate(moduleName: string): Relocate {
  return (memory: Memory, { type, value, place }) => {
    const width = type === 1 || type === 24 ? 8 : type === 2 || type === 4 || type === 10 || type === 11 ? 4 : 0;
    if (type === 0) return;
    if (!width) throw new LoaderError(moduleName, `module: ${moduleName}: Unknown rela relocation: ${type}`);
    const val = BigInt.asUintN(64, type === 2 || type === 4 || type === 24 ? value - place : value);
    const old = memory.read(place, width);
    if (old.some((b) => b !== 0))
      throw new LoaderError(
        moduleName,
        `module: x86/modules: Skipping invalid relocation target, existing value is nonzero for type ${type}, loc ${place.toString(16).padStart(16, '0')}, val ${val.toString(16)}`,
      );
    const bytes = new Uint8Array(width);
    for (let i = 0; i < width; i++) bytes[i] = Number((val >> BigInt(8 * i)) & 0xffn);
    memory.write(place, bytes, { force: true });
    const written = BigInt.asUintN(32, val);
    const fits = type === 10 ? val === written : type === 11 ? BigInt.asIntN(64, val) === BigInt.asIntN(32, written) : true;
    if (!fits)
      throw new LoaderError(moduleName, `module: overflow in relocation type ${type} val ${val.toString(16)}\nmodule: \`${moduleName}' likely not compiled with -mcmodel=kernel`);
  };
}
