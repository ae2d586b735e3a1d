import type { LivepatchConstruct } from '../../c/livepatchConstructs';
import type { Finding } from '../finding';
import type { FixData } from '../fixes';
import { sourceChecks } from './sourceCatalogue';
import { isNull } from './initializerValues';
import { finding, SourceContext } from './sourceContext';

/** Each hook or callback and the one that undoes it. */
const xenPairs: Array<[string, string]> = [['LIVEPATCH_APPLY_HOOK', 'LIVEPATCH_REVERT_HOOK']];
const klpPairs: Array<[string, string]> = [
  ['pre_patch', 'post_unpatch'],
  ['post_patch', 'pre_unpatch'],
];
const vetoing = /^LIVEPATCH_(PRE|POST)(APPLY|REVERT)_HOOK$/;

/** LP120-LP121: hooks and callbacks that come in pairs, and hooks that forbid REPLACE. */
export function hookChecks(context: SourceContext): Finding[] {
  const hooks = context.constructs.filter((c) => c.kind === 'livepatch_hook' || c.kind === 'patch_callback');
  const macros = new Set(hooks.map((h) => h.fields.macro));
  const findings: Finding[] = [];
  for (const [doing, undoing] of xenPairs) {
    for (const [has, lacks] of [
      [doing, undoing],
      [undoing, doing],
    ]) {
      for (const hook of hooks.filter((h) => h.fields.macro === has && !macros.has(lacks))) {
        const fix: FixData = { kind: 'addHook', macro: lacks, function: hook.fields.function, after: hook.range.end, signature: 'action' };
        findings.push(
          finding(
            sourceChecks.unpairedHook,
            context,
            hook.selectionRange,
            `${has} without ${lacks}: an action hook replaces Xen's own ${has.includes('APPLY') ? 'patching, so nothing undoes it on revert' : 'unpatching, so nothing did the matching apply'}, and the functions end in a state the consistency check treats as "partially ${has.includes('APPLY') ? 'reverted' : 'applied'}" (a hypervisor panic). Add ${lacks}.`,
            { data: fix },
          ),
        );
      }
    }
  }
  for (const hook of hooks.filter((h) => h.kind === 'patch_callback')) {
    const stage = /(PRE|POST)_(UN)?PATCH/.exec(hook.fields.macro)?.[0].toLowerCase();
    const counterpart = klpPairs.flatMap(([a, b]) => (a === stage ? [b] : b === stage ? [a] : []))[0];
    const counterpartMacro = counterpart && hook.fields.macro.replace(/(PRE|POST)_(UN)?PATCH/, counterpart.toUpperCase());
    if (counterpartMacro && !macros.has(counterpartMacro)) findings.push(unpairedCallback(context, hook, hook.fields.macro, counterpartMacro));
  }
  for (const object of context.constructs.filter((c) => c.kind === 'klp_object').flatMap((o) => (o.entries.length ? o.entries : [o]))) {
    for (const [a, b] of klpPairs) {
      for (const [has, lacks] of [
        [a, b],
        [b, a],
      ]) {
        if (!isNull(object.fields[`callbacks.${has}`]) && isNull(object.fields[`callbacks.${lacks}`])) {
          findings.push(
            unpairedCallback(context, { ...object, selectionRange: object.fieldRanges[`callbacks.${has}`] ?? object.selectionRange }, `.callbacks.${has}`, `.callbacks.${lacks}`),
          );
        }
      }
    }
  }
  const vetoes = hooks.filter((h) => vetoing.test(h.fields.macro));
  if (vetoes.length) {
    findings.push(
      finding(
        sourceChecks.vetoingHooks,
        context,
        vetoes[0].selectionRange,
        `This payload has vetoing hooks (${vetoes.map((h) => h.fields.macro).join(', ')}): it can be applied and reverted, but never used with REPLACE, nor replaced by a REPLACE of another payload while applied: Xen answers "REPLACE action is not supported on livepatches with vetoing hooks!". Use load/unload or apply/revert action hooks if the payload must take part in REPLACE.`,
      ),
    );
  }
  return findings;
}

function unpairedCallback(context: SourceContext, at: LivepatchConstruct, has: string, lacks: string): Finding {
  return finding(
    sourceChecks.unpairedHook,
    context,
    at.selectionRange,
    `${has} without ${lacks}: the kernel runs callbacks in symmetric pairs (pre_patch with post_unpatch, post_patch with pre_unpatch), so what ${has} sets up is never torn down when the patch is disabled or the transition is reversed. Add ${lacks}.`,
  );
}
