import type { LinuxEmulatorState } from '../../server/src/protocol';

/**
 * The emulated kernel's state in a few lines for the emulator channel, after each Linux
 * command: each livepatch and its functions, the transition and the tasks that block it (with
 * the function on their stack), and the tasks still to switch; the Livepatch view shows it in full.
 */
export function linuxStateSummary(state: LinuxEmulatorState): string[] {
  if (state.panicked) return [`# kernel: ${state.panicked}`];
  const lines = state.patches.map((p) => {
    const funcs = p.objects.flatMap((o) => o.funcs.map((f) => `${o.name === 'vmlinux' ? '' : `${o.name}:`}${f.name}${f.patched ? '' : ' (not patched)'}`));
    return `# livepatch ${p.name}: ${p.enabled ? 'enabled' : 'disabled'}${p.replace ? ', replace' : ''}${p.transition ? ', in transition' : ''} - ${funcs.join(', ') || 'no functions'}`;
  });
  const t = state.transition;
  if (t) {
    const pending = state.tasks.filter((task) => task.patchState !== -1 && task.patchState !== (t.target === 'patched' ? 1 : 0)).length;
    const blocking = t.blocking.map((b) => `${b.comm} (pid ${b.pid}) ${b.function ? `in ${b.function}` : 'running'}`);
    lines.push(`# transition of ${t.patch} to ${t.target}: ${pending} task${pending === 1 ? '' : 's'} to switch${blocking.length ? `; blocked by ${blocking.join(', ')}` : ''}`);
  }
  return lines;
}
