import { currentPayloadVersion, funcLayouts, isNullField, livepatchRange, opaqueSize, patchInsnSize, SymbolRef, XenFunc, XenPayload } from '../../payload';
import { xenPatchBytes } from '../facts/xenPatchSite';
import { FindingSink, PayloadCheckEnv } from './context';
import { payloadChecks } from './ids';

export const funcWhere = (f: XenFunc): string => `.livepatch.funcs[${f.index}]${f.name ? ` (${f.name})` : ''}`;

/** The old function's name as Xen would find it: the `name` string, else old_addr's symbol. */
export const oldFunctionName = (f: XenFunc): string | undefined => f.name ?? f.oldAddr.reloc?.symbol;

/**
 * The per-entry checks of Xen's prepare_payload() and arch_livepatch_verify_func(): section
 * size, version, sizes for a jump or a NOP-out, distance, and expectations (checked at apply).
 */
export function checkXenFuncs(sink: FindingSink, payload: XenPayload, env: PayloadCheckEnv): void {
  const section = payload.funcsSection;
  if (!section) return;
  const entrySize = funcLayouts[currentPayloadVersion].size;
  // Xen 4.17 divides by its own sizeof(struct livepatch_func), whatever version the entries say
  // (a 104-byte section of version-1 entries passes here and fails the version check).
  if (section.size % BigInt(entrySize) !== 0n) {
    sink.add(
      payloadChecks.funcsSize,
      section.section,
      `${section.section} is ${section.size} bytes, not a whole number of ${entrySize}-byte struct livepatch_func entries, so the hypervisor cannot tell where entries start. ` +
        `${sink.xenSays(payload.name, `Wrong size ${section.size} of ${section.section} (must be multiple of ${entrySize})`)}. Build the payload against the livepatch.h of the hypervisor you load it into.`,
      'EINVAL',
    );
  }
  for (const f of payload.funcs) checkFunc(sink, payload.name, f, env);
}

function checkFunc(sink: FindingSink, name: string, f: XenFunc, env: PayloadCheckEnv): void {
  const where = funcWhere(f);
  const label = f.name ?? `entry ${f.index}`;
  if (f.version !== currentPayloadVersion) {
    sink.add(
      payloadChecks.funcVersion,
      where,
      `has version ${f.version}${f.version === 1 ? ' (the 64-byte layout without `expect`)' : ''}; the hypervisor reads version-${currentPayloadVersion} entries (104 bytes) and would misread any other. ` +
        `${sink.xenSays(name, `Wrong version (${f.version}). Expected ${currentPayloadVersion}`)}. Set .version = LIVEPATCH_PAYLOAD_VERSION from the target hypervisor's headers.`,
      'EOPNOTSUPP',
    );
  }
  if (f.oldSize === 0) {
    sink.add(
      payloadChecks.zeroSize,
      where,
      `old_size is 0, so there is nothing the hypervisor may overwrite at the old function. ${sink.xenSays(name, `${label}: Address or size fields are zero`)}. Set old_size to the old function's size (\`nm -S\` of the target).`,
      'EINVAL',
    );
    return;
  }
  const isNop = isNullField(f.newAddr);
  if (isNop) {
    if (f.newSize > opaqueSize || f.newSize > f.oldSize) {
      sink.add(
        payloadChecks.nopTooLong,
        where,
        `NOPs out ${f.newSize} bytes (new_addr is 0), but ${f.newSize > opaqueSize ? `at most ${opaqueSize} bytes can be saved for the revert` : `old_size is only ${f.oldSize}, so the NOPs would overwrite the next function`}. ` +
          `Xen refuses the payload (${f.newSize > opaqueSize ? '-EOPNOTSUPP' : '-EINVAL'}). Keep new_size <= ${opaqueSize} and <= old_size, or replace the function instead.`,
        f.newSize > opaqueSize ? 'EOPNOTSUPP' : 'EINVAL',
      );
    }
  } else {
    const oldName = oldFunctionName(f);
    const endbr = oldName ? env.target?.symbol(oldName)?.endbr === true : false;
    const needed = xenPatchBytes(endbr);
    if (f.oldSize < needed) {
      sink.add(
        payloadChecks.tooSmall,
        where,
        `old_size is ${f.oldSize}, but the hypervisor writes a ${patchInsnSize}-byte jump${endbr ? ` after the old function's 4-byte ENDBR64, ${needed} bytes in all` : ''}, which would overwrite whatever follows the old function. ` +
          `Xen refuses it (-EINVAL; livepatch-build says "${label} too small to patch"). Patch a caller of ${label} instead, or check that old_size is the function's real size.`,
        'EINVAL',
      );
    }
    checkDistance(sink, where, f, env);
  }
  if (f.expect?.enabled) {
    const e = f.expect;
    const problem =
      e.rsv !== 0
        ? `its reserved bits are ${e.rsv} (must be 0)`
        : e.len > opaqueSize
          ? `its length ${e.len} is over ${opaqueSize}`
          : f.oldSize < e.len
            ? `its length ${e.len} is more than old_size ${f.oldSize}`
            : undefined;
    if (problem) {
      sink.add(
        payloadChecks.expectation,
        where,
        `the expectation is enabled but ${problem}, so the hypervisor cannot compare it with the old code. Xen fails the apply (${e.rsv !== 0 ? '-EINVAL' : e.len > opaqueSize ? '-EOVERFLOW' : '-ERANGE'}) and reports "expectations of ${name} failed". ` +
          `Set expect.len to the number of bytes in expect.data (1..${Math.min(opaqueSize, f.oldSize)}) and leave rsv 0.`,
        e.rsv !== 0 ? 'EINVAL' : e.len > opaqueSize ? 'EOVERFLOW' : 'ERANGE',
        // Xen 4.17 uploads it and refuses the apply (livepatch_check_expectations), as the emulator does.
        'apply',
      );
    }
  }
}

/** An old_addr relocated against a symbol the target defines: where the loader will resolve it. */
function targetAddress(reloc: SymbolRef, env: PayloadCheckEnv): bigint | undefined {
  if (reloc.section !== undefined) return undefined;
  const symbol = env.target?.symbol(reloc.symbol);
  return symbol ? symbol.address + reloc.addend : undefined;
}

function checkDistance(sink: FindingSink, where: string, f: XenFunc, env: PayloadCheckEnv): void {
  const placed = env.placement?.(f.index);
  const oldAddress = placed?.oldAddress ?? (f.oldAddr.reloc ? targetAddress(f.oldAddr.reloc, env) : f.oldAddr.raw || undefined);
  const newAddress = placed?.newAddress ?? (f.newAddr.reloc ? undefined : f.newAddr.raw || undefined);
  if (oldAddress === undefined || newAddress === undefined) return;
  const distance = newAddress > oldAddress ? newAddress - oldAddress : oldAddress - newAddress;
  if (distance >= livepatchRange) {
    sink.add(
      payloadChecks.distance,
      where,
      `the replacement at 0x${newAddress.toString(16)} is 0x${distance.toString(16)} bytes from the old function at 0x${oldAddress.toString(16)}, beyond the ±2 GiB a rel32 jump reaches. ` +
        'Xen refuses it (-EOVERFLOW in livepatch_verify_distance). Let new_addr be relocated against the replacement function (Xen places the payload within reach of its text); do not hard-code it.',
      'EOVERFLOW',
    );
  }
}
