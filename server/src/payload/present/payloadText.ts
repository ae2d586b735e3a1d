import { PayloadView } from './payloadView';

/** The inspector as plain text, for `livepatch-lens inspect`. */
export function payloadText(view: PayloadView): string {
  const lines = [`${view.file}: ${view.kind === 'xen' ? 'Xen livepatch payload' : view.kind === 'klp' ? 'Linux livepatch module' : 'unreadable'} ${view.name}`];
  if (view.error) lines.push(`  error: ${view.error}`);
  if (view.functions.length) {
    lines.push('', 'Functions:');
    for (const f of view.functions) {
      const sizes = f.oldSize !== undefined || f.newSize !== undefined ? ` old_size ${f.oldSize ?? '?'}${f.newSize !== undefined ? ` new_size ${f.newSize}` : ''}` : '';
      lines.push(`  ${f.where}: ${f.oldName} [${f.old}${f.oldAddress ? ` @ ${f.oldAddress}` : ''}] -> ${f.new}${sizes}`);
    }
  }
  if (view.chain.length) {
    lines.push('', 'Build-id chain:');
    for (const link of view.chain) lines.push(`  ${link.role}: ${link.buildId ?? `(${link.problem})`}${link.matchesTarget === false ? ' (not the target)' : ''}`);
  }
  if (view.hooks.length) {
    lines.push('', 'Hooks:');
    for (const h of view.hooks) lines.push(`  ${h.kind} (${h.section}): ${h.functions.join(', ') || '(empty)'}`);
  }
  if (view.facts.length) {
    lines.push('', 'Facts:');
    for (const f of view.facts) lines.push(`  ${f.label}: ${f.value}`);
  }
  if (view.modinfo.length) lines.push('', `.modinfo: ${view.modinfo.map((m) => (m.value ? `${m.key}=${m.value}` : m.key)).join('; ')}`);
  if (view.sections.length) {
    lines.push('', 'Sections:', '  [Nr] Name                           Type      Flg      Size  Relocs');
    for (const s of view.sections)
      lines.push(`  [${String(s.index).padStart(2)}] ${s.name.padEnd(30)} ${s.type.padEnd(9)} ${s.flags.padEnd(4)} ${String(s.size).padStart(8)}  ${s.relocations || ''}`);
  }
  return lines.join('\n');
}
