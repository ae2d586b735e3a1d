import { disassemble } from '../../elf';
import { asmBlock } from '../asmBlock';
import type { FunctionStatus } from './functionStatus';

/** At most this many instructions of what the emulator's old function now starts with. */
const shownInstructions = 3;

/** The bytes now at old_addr in the emulated hypervisor, decoded: `jmp` to the replacement once applied. */
function patchSiteCode(hexBytes: string | null, address: string): string[] {
  if (!hexBytes) return [];
  const code = disassemble(Buffer.from(hexBytes, 'hex'), BigInt(address)).slice(0, shownInstructions);
  return code.length ? asmBlock(code) : [];
}

/** The emulator's part of a patched function's hover: which payload or patch has it, in what state, and its bytes now. */
export function emulatorHoverLines(status: FunctionStatus): string[] {
  if (!status.booted && !status.uses.length) return [];
  const machine = status.runtime === 'xen' ? 'emulated hypervisor' : 'emulated kernel';
  if (!status.uses.length) return ['', `**In the ${machine}:** not patched by any loaded ${status.runtime === 'xen' ? 'payload' : 'livepatch'}.`];
  const lines = ['', `**In the ${machine}:**`];
  if (status.runtime === 'xen') {
    for (const { payload, func } of status.uses) {
      const state = payload.state === 'APPLIED' && func.applied ? 'applied' : `uploaded, not applied${payload.rc ? ` (rc=${payload.rc})` : ''}`;
      lines.push(
        '',
        `- ${state} by \`${payload.name}\` (${payload.state}): old_addr \`${func.oldAddr}\`, new_addr \`${func.newAddr}\`${func.newAddr === '0x0' ? ' (NOP-out)' : ''}`,
      );
      const code = patchSiteCode(func.bytes, func.oldAddr);
      if (code.length) lines.push('', `Now at \`${func.oldAddr}\`:`, ...code);
    }
  } else {
    for (const { patch, func } of status.uses) {
      const state = !patch.enabled ? 'disabled' : patch.transition ? 'in transition' : 'enabled';
      lines.push(
        `- ${state} by \`${patch.name}\`: ${func.patched ? `calls redirected to \`${func.newAddr ?? 'a no-op'}\`` : 'calls not redirected'}${func.transition ? ' (func in transition)' : ''}`,
      );
    }
  }
  return lines;
}
