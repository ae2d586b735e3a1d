import type { FileChange } from '../../diff/changes';
import type { Finding } from '../finding';
import { patchChecks } from './catalogue';
import { fileHeaderRange, finding, PatchContext } from './context';

/**
 * LP233, LP234: files the build tools refuse outright, by path alone, before looking at any
 * code. kpatch-build and klp-build both filter the patch's file list this way.
 */
const unpatchableTrees: Array<{ pattern: RegExp; why: string }> = [
  {
    pattern: /^lib\//,
    why: 'code under lib/ is largely built into lib.a archives (lib-y) and, like lib/string.o, lacks the __fentry__ calls and per-function sections the tools need; kpatch-build refuses it (`unsupported patch to lib/: PATH`), klp-build too (`unsupported patch to PATH`)',
  },
  {
    pattern: /(^|\/)vdso\//,
    why: 'the vDSO is mapped into user space and runs there, where no kernel live patch can reach it; klp-build refuses it (`unsupported patch to PATH`)',
  },
  {
    pattern: /(^|\/)realmode\/rm\//,
    why: 'real-mode code runs before the kernel proper (boot, resume, CPU bring-up) from its own blob, never through a patchable function entry; klp-build refuses it (`unsupported patch to PATH`)',
  },
];

export function pathChecks(file: FileChange, context: PatchContext): Finding[] {
  const range = fileHeaderRange(file, context);
  const where = file.path;
  const findings: Finding[] = [];
  const tree = unpatchableTrees.find((t) => t.pattern.test(file.path));
  if (tree) {
    findings.push(
      finding(
        patchChecks.lib,
        context,
        range,
        `${file.path}: ${tree.why.replace(/PATH/g, file.path)}. Move the fix into code that is live-patchable (a caller outside this tree), or ship it with a reboot.`,
        { where, data: { path: file.path } },
      ),
    );
  }
  if (file.language === 'assembly') {
    findings.push(
      finding(
        patchChecks.assembly,
        context,
        range,
        `${file.path} is assembly: hand-written assembly has no __fentry__ call for ftrace to redirect and no per-function sections for create-diff-object to compare, so neither kpatch (\`unsupported patch to assembly: ${file.path}\`), klp-build (\`unsupported patch to ${file.path}\`) nor Xen's livepatch-build can turn it into a live patch. Change C code that calls into it instead, or ship it with a reboot.`,
        { where, data: { path: file.path } },
      ),
    );
  }
  return findings;
}
