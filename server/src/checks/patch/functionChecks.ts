import type { EntityChange, FileChange } from '../../diff/changes';
import type { InlineSite } from '../facts/functionFacts';
import type { Finding } from '../finding';
import { patchChecks } from './catalogue';
import { finding, PatchContext, siteLabel, sourceLocation } from './context';
import { basisNote, certainty, FunctionKnowledge, knowFunction } from './functionKnowledge';
import { namingNote, symbolLabel } from '../facts/symbolNaming';

/**
 * LP210-LP215: what makes a changed function impossible or incomplete to replace: where its
 * code really lives (inlined copies, `__schedule`), and whether ftrace can redirect it at all.
 */

/** The context switch itself: replacing any of these means replacing code every sleeping task is inside. */
const contextSwitch = new Set(['__schedule', 'context_switch', 'switch_to', '__switch_to', '__switch_to_asm']);

const initSections = new Set(['.init.text', '.exit.text', '.meminit.text', '.head.text']);

export function functionChecks(file: FileChange, entity: EntityChange, context: PatchContext): Finding[] {
  if (entity.kind !== 'function' || entity.change !== 'modified' || entity.aspects.every((a) => a === 'cosmetic')) return [];
  const knowledge = knowFunction(entity, file.path, context);
  if (!knowledge) return [];
  const where = `${file.path}: ${entity.name}()`;
  const at = (site: InlineSite): string => siteLabel(site.file, site.line, context);
  const related = (sites: InlineSite[], what: string): NonNullable<Finding['related']> =>
    sites.filter((s) => s.file && s.line).map((s) => ({ ...sourceLocation(s.file ?? '', s.line ?? 0, context), message: `${entity.name}() ${what} ${symbolLabel(s, '()')} here` }));
  const findings: Finding[] = [];
  const { facts } = knowledge;
  const name = entity.name;
  const range = entity.ranges[0];
  if (!range) return [];
  const intoSchedule = facts.inlinedInto.filter((s) => s.function === '__schedule');
  const isContextSwitch = contextSwitch.has(name);

  if (isContextSwitch || intoSchedule.length) {
    const what = isContextSwitch
      ? `${name}() is the context switch itself`
      : `${name}() ${certainty(knowledge, 'is', 'may be')} inlined into __schedule (${intoSchedule.map(at).filter(Boolean).join(', ') || 'call site unknown'})${knowledge.inlineWhy ? `, because ${knowledge.inlineWhy}` : ''}${basisNote(knowledge)}`;
    findings.push(
      finding(
        patchChecks.schedule,
        context,
        range,
        `${what}: the change takes effect only by replacing __schedule, which cannot be done safely. __schedule is notrace (no __fentry__, so ftrace and klp cannot redirect it) and is on the stack of every sleeping task, so a klp transition never completes; on x86-64 switch_to does not save RIP, so a replacement __schedule with a different prologue or frame corrupts the registers of tasks switched in by the old one. Make the fix outside __schedule (in a traceable, out-of-line function it calls or that calls it), or ship it with a reboot.`,
        { where, related: related(intoSchedule, 'is inlined into'), data: { function: name, inlinedInto: intoSchedule } },
      ),
    );
  }

  const elsewhere = facts.inlinedInto.filter((s) => s.function !== '__schedule');
  if (elsewhere.length) {
    const callers = elsewhere.map((s) => `${symbolLabel(s, '()')}${at(s) ? ` at ${at(s)}` : ''}`);
    const scope = facts.unit ? ` (the ${name}() of ${facts.unit}, one of ${facts.units} compile units defining one)` : '';
    findings.push(
      finding(
        patchChecks.inlined,
        context,
        range,
        `${name}()${scope} ${certainty(knowledge, 'is', 'may be')} inlined into ${[...new Set(elsewhere.map((s) => symbolLabel(s)))].length} other function(s)${knowledge.inlineWhy ? `, because ${knowledge.inlineWhy}` : ''}${basisNote(knowledge)}: ${callers.join('; ')}. Replacing the out-of-line ${name}() does not change these inlined copies, which keep running the old code; each of these callers must be patched too (kpatch and klp-build pick them up only as \`changed function:\` lines, without saying why). List them in the patch module, or mark ${name}() noinline in both builds if its callers must stay untouched.${namingNote(elsewhere)}`,
        { where, related: related(elsewhere, 'is inlined into'), data: { function: name, inlinedInto: elsewhere } },
      ),
    );
  }

  if (!facts.outOfLine && !isContextSwitch) {
    findings.push(
      finding(
        patchChecks.noOutOfLine,
        context,
        range,
        `${name}() ${certainty(knowledge, 'has', 'may have')} no out-of-line copy${knowledge.inlineWhy ? `, because ${knowledge.inlineWhy}` : ''}${basisNote(knowledge)}: it exists only inside its callers, so there is no function symbol for klp_func.old_name or livepatch_func.name to redirect. Replace the functions it is inlined into instead${elsewhere.length || intoSchedule.length ? ` (${[...new Set([...intoSchedule, ...elsewhere].map((s) => symbolLabel(s)))].join(', ')})` : ''}.${namingNote([...intoSchedule, ...elsewhere])}`,
        { where, data: { function: name } },
      ),
    );
  }

  const section = facts.section ?? '.text';
  if (section === '.noinstr.text') {
    findings.push(
      finding(
        patchChecks.noinstr,
        context,
        range,
        `${name}() is in .noinstr.text (${knowledge.attributes?.sectionSpelling ?? 'noinstr'}): it runs where instrumentation is forbidden (entry code, before RCU and tracing are safe to use), so it has no __fentry__ call and must never be redirected by ftrace. It cannot be live patched; patch the instrumentable code it calls or that calls it instead.`,
        { where, data: { function: name, section } },
      ),
    );
  } else if (facts.notrace && facts.outOfLine && !isContextSwitch) {
    findings.push(finding(patchChecks.notrace, context, range, notraceMessage(name, knowledge), { where, data: { function: name } }));
  }

  if (initSections.has(section)) {
    const isExit = section === '.exit.text';
    findings.push(
      finding(
        patchChecks.init,
        context,
        range,
        `${name}() is ${isExit ? '__exit' : '__init'} code (${knowledge.attributes?.sectionSpelling ?? section}): ${isExit ? 'it runs only when its module is unloaded, and built-in __exit code is discarded at link time' : 'it ran once at boot or module load and its memory has been freed since'}, so a live-patched version never runs. kpatch refuses it (\`changed section ${section} not selected for inclusion\`; its README: __init changes are unsupported). Put the change in code that runs after boot, or use a pre-patch callback that brings the running system into the state the new ${isExit ? 'exit' : 'init'} code would have produced.`,
        { where, data: { function: name, section } },
      ),
    );
  }
  return findings;
}

function notraceMessage(name: string, knowledge: FunctionKnowledge): string {
  const kpatch = `kpatch: \`function ${name} doesn't have patchable function entry, unable to patch\``;
  if (knowledge.origin === 'target') {
    return `${name}() has no patchable function entry in the target (no __fentry__ call or 5-byte NOP at its start): ftrace, and so klp, cannot redirect it (${kpatch}). Patch its traceable callers instead, or remove notrace from it in a kernel you can reboot into.`;
  }
  const attributes = knowledge.attributes;
  const why = attributes?.notrace
    ? `is marked ${attributes.notraceSpelling ?? 'notrace'}`
    : `is declared ${attributes?.inlineSpelling ?? 'inline'}, and the kernel's inline implies notrace: if gcc keeps an out-of-line copy, that copy has no __fentry__ call`;
  const fix = attributes?.notrace
    ? 'Patch its traceable callers instead.'
    : 'Use __always_inline (and patch the callers), or a non-inline copy under a new name called from patched callers.';
  return `${name}() ${why}${basisNote(knowledge)}: ftrace, and so klp, cannot redirect it (${kpatch}). ${fix}`;
}
