import type { LivepatchConstruct } from '../../c/livepatchConstructs';
import { currentPayloadVersion, opaqueSize } from '../../payload';
import { xenPatchBytes } from '../facts/xenPatchSite';
import type { Finding } from '../finding';
import { sourceChecks } from './sourceCatalogue';
import { integerValue, isNull, unquote } from './initializerValues';
import { finding, SourceContext } from './sourceContext';

/** Xen keeps the original bytes of a NOP-out in its 31-byte undo buffer (LIVEPATCH_OPAQUE_SIZE). */
const maxNopOut = BigInt(opaqueSize);

/** LP111-LP115, LP117: the fields of each Xen `struct livepatch_func`, and functions listed twice. */
export function xenFuncChecks(context: SourceContext): Finding[] {
  const findings: Finding[] = [];
  for (const construct of context.constructs.filter((c) => c.kind === 'livepatch_func')) {
    for (const entry of construct.entries.length ? construct.entries : [construct]) findings.push(...entryChecks(context, entry));
  }
  return [...findings, ...duplicates(context)];
}

function entryChecks(context: SourceContext, entry: LivepatchConstruct): Finding[] {
  const findings: Finding[] = [];
  const at = (field: string) => entry.fieldRanges[field] ?? entry.selectionRange;
  const version = integerValue(entry.fields.version);
  if (version !== undefined && version !== BigInt(currentPayloadVersion)) {
    findings.push(
      finding(
        sourceChecks.wrongVersion,
        context,
        at('version'),
        `.version = ${version}: Xen accepts only version 2 payloads and refuses this one at upload with "Wrong version (${version}). Expected 2". Use LIVEPATCH_PAYLOAD_VERSION.`,
      ),
    );
  }
  const name = entry.resolved.name ?? unquote(entry.fields.name) ?? entry.name;
  const fn = context.facts?.function(name);
  const oldSize = integerValue(entry.fields.old_size) ?? (entry.fields.old_size === undefined ? undefined : fn?.basis === 'target' ? fn.size : undefined);
  const newSize = integerValue(entry.fields.new_size);
  const nopOut = isNull(entry.fields.new_addr);
  if (nopOut) {
    findings.push(
      finding(
        sourceChecks.nopOut,
        context,
        at('new_addr'),
        `new_addr is ${entry.fields.new_addr ?? 'absent (0)'}: this entry does not jump to a replacement, it overwrites the first ${entry.fields.new_size ?? 'new_size'} bytes at the old function with NOPs (up to 31, and no more than old_size). Execution falls through to the bytes after them, and Xen still tracks the function as applied, so revert restores the saved bytes.${newSize === 0n ? ' With new_size 0 nothing is written at all: the entry only marks the function applied.' : ''}`,
      ),
    );
    const arithmetic = sizeArithmetic(entry.fields.new_size);
    if (arithmetic) {
      const value = fn?.basis === 'target' && fn.size !== undefined && arithmetic.from === entry.fields.old_size?.trim() ? fn.size - arithmetic.minus : undefined;
      findings.push(
        finding(
          sourceChecks.nopOutArithmetic,
          context,
          at('new_size'),
          `new_size is \`${entry.fields.new_size?.trim()}\`${value !== undefined ? ` (${value} here)` : ''}: it assumes the last ${arithmetic.minus} byte${arithmetic.minus === 1n ? ' is a one-byte `ret`' : 's are the way out'}, which depends on how the hypervisor was built. Debian's Xen 4.17 (return thunks) ends such functions in a 5-byte \`jmp __x86_return_thunk\`: the NOPs end inside it, and a real Xen died with "*** DOUBLE FAULT ***". ` +
            'Take the size of the instructions before the way out from the built target (samples/way-out-offset.sh), and check the built payload with `livepatch-lens check --target` (LP338 decodes the function).',
        ),
      );
    }
    if (newSize !== undefined && newSize > maxNopOut) {
      findings.push(
        finding(
          sourceChecks.nopOutLimits,
          context,
          at('new_size'),
          `A NOP-out of ${newSize} bytes is more than the 31 Xen can save and restore: it refuses the payload with -EOPNOTSUPP. Replace the function with a jump to new code instead.`,
        ),
      );
    } else if (newSize !== undefined && oldSize !== undefined && newSize > oldSize) {
      findings.push(
        finding(
          sourceChecks.nopOutLimits,
          context,
          at('new_size'),
          `new_size ${newSize} is larger than old_size ${oldSize}: the NOPs would run past the function into whatever follows it; Xen refuses the payload with -EINVAL.`,
        ),
      );
    }
  } else if (oldSize !== undefined) {
    const needed = BigInt(xenPatchBytes(fn?.endbr === true));
    if (oldSize === 0n) {
      findings.push(
        finding(
          sourceChecks.oldSizeTooSmall,
          context,
          at('old_size'),
          `old_size is 0: Xen refuses the payload at upload with "${name}: Address or size fields are zero". Give the size of the old function (nm -S).`,
        ),
      );
    } else if (oldSize < needed) {
      findings.push(
        finding(
          sourceChecks.oldSizeTooSmall,
          context,
          at('old_size'),
          `old_size is ${oldSize} bytes but the jump Xen writes needs ${needed}${fn?.endbr ? ' (5 for jmp rel32 after the 4-byte ENDBR64 it must keep)' : ' (jmp rel32)'}: it would overwrite code after the function, so Xen refuses the payload with -EINVAL. Patch a larger caller instead.`,
        ),
      );
    }
  }
  return findings;
}

/** `X - k` (optionally parenthesized): a size derived from another by subtracting a constant. */
function sizeArithmetic(text: string | undefined): { from: string; minus: bigint } | undefined {
  const match = /^\(?\s*([A-Za-z_]\w*)\s*-\s*([0-9][0-9a-fA-FxXuUlL]*)\s*\)?$/.exec(text?.trim() ?? '');
  const minus = match ? integerValue(match[2]) : undefined;
  return match && minus !== undefined && minus > 0n ? { from: match[1], minus } : undefined;
}

function duplicates(context: SourceContext): Finding[] {
  const seen = new Map<string, string>();
  const findings: Finding[] = [];
  for (const patched of context.patched) {
    const key = `${patched.object}:${patched.name}:${patched.entry.fields.old_sympos ?? ''}`;
    if (seen.has(key)) {
      findings.push(
        finding(
          sourceChecks.duplicateFunction,
          context,
          patched.range,
          `'${patched.name}' is patched twice in this ${patched.flavour === 'klp' ? 'module' : 'payload'}: ${patched.flavour === 'klp' ? 'the kernel registers both on one ftrace handler and only the last one added runs' : 'Xen saves the original bytes once per entry, so the second apply saves the first jump and revert leaves one behind'}. Keep one entry.`,
        ),
      );
    } else {
      seen.set(key, patched.name);
    }
  }
  return findings;
}
