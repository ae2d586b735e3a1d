import type { TargetStateParams } from '../../server/src/protocol';

// No `vscode` import here: unit tests load this file in plain Node.
export interface StatusPresentation {
  text: string;
  tooltip: string;
  error: boolean;
  /** The status menu's first entry: the output, or a restart once the server is down for good. */
  command: 'livepatch.showOutput' | 'livepatch.restartServer';
}

/** How the server came back after it died on its own: restarted k times, or given up after N crashes. */
export type ServerState = 'starting' | 'running' | 'stopped';

export type ServerRecovery = { restarts: number } | { gaveUpAfter: number };

const fileName = (path: string | undefined) => path?.split('/').pop() ?? '';

/** Which image the checks judge patches against: users must see whether it is theirs or the sample. */
function targetLine(target: TargetStateParams | undefined): { suffix: string; tooltip: string } {
  const where = target?.bundled ? 'the bundled sample target (set livepatch.target to your vmlinux or xen-syms)' : target?.path;
  switch (target?.state) {
    case 'ready':
      return { suffix: `: ${fileName(target.path)}${emulatedAs(target)}`, tooltip: `Target: ${where}, build-id ${target.buildId}. ${emulatorLine(target)}` };
    case 'loading':
      return { suffix: `: indexing ${fileName(target.path)}`, tooltip: `Indexing the target ${where}…` };
    case 'failed':
      return { suffix: ': no target', tooltip: `The target ${target.path} cannot be indexed: ${target.detail}. Checks use source-level facts only.` };
    case 'none':
      return { suffix: ': no target', tooltip: `No target: ${target.detail}. Checks use source-level facts only.` };
    default:
      return { suffix: '', tooltip: '' };
  }
}

const realNames = { linux: 'Linux', xen: 'Xen' } as const;

/** The emulator's machine, in the item's text: a real image's kind, or that it is the sample. */
function emulatedAs(target: TargetStateParams): string {
  if (target.realImage) return ` · real ${realNames[target.realImage]}`;
  return target.bundled ? ' (sample)' : '';
}

function emulatorLine(target: TargetStateParams): string {
  if (target.realImage === 'linux') return 'The emulator boots this vmlinux itself: its own code runs as the kernel, modules insmod against it (docs/emulator-real-linux.md).';
  if (target.realImage === 'xen') return 'The emulator boots this xen-syms itself: its own code runs as the hypervisor, payloads upload to it (docs/emulator-real-xen.md).';
  return target.bundled
    ? "The emulator runs the bundled sample target's kernel and hypervisor model."
    : "The emulator boots it with the sample target's model: it is not a vmlinux or xen-syms with the per-CPU symbols of a real image.";
}

export function presentStatus(state: ServerState, error: string | undefined, target?: TargetStateParams, recovery?: ServerRecovery): StatusPresentation {
  const restarted = recovery && 'restarts' in recovery ? recovery.restarts : 0;
  const restartedLine = restarted ? `restarted after the server stopped unexpectedly (${restarted})` : '';
  // prettier-ignore
  switch (state) {
    case 'running': {
      const { suffix, tooltip } = targetLine(target);
      return {
        text: `$(check) Livepatch${suffix}${restarted ? ` (restarted ${restarted})` : ''}`,
        tooltip: `Livepatch Lens: language server running${restarted ? `, ${restartedLine}` : ''}. ${tooltip} Click for the menu: select target, output, restart, the Livepatch view.`.replace('  ', ' '),
        error: false,
        command: 'livepatch.showOutput',
      };
    }
    case 'starting':
      return { text: '$(sync~spin) Livepatch', tooltip: `Livepatch Lens: language server starting${restarted ? `: ${restartedLine}` : ''}…`, error: false, command: 'livepatch.showOutput' };
    case 'stopped':
      if (recovery && 'gaveUpAfter' in recovery) {
        return {
          text: `$(error) Livepatch: stopped after ${recovery.gaveUpAfter} crashes`,
          tooltip: `Livepatch Lens: language server stopped after ${recovery.gaveUpAfter} crashes${error ? ` (${error})` : ''}: click to restart.`,
          error: true,
          command: 'livepatch.restartServer',
        };
      }
      return { text: '$(error) Livepatch', tooltip: `Livepatch Lens: language server stopped${error ? ` (${error})` : ''}. Click for the menu; its "Restart Language Server" starts it again.`, error: true, command: 'livepatch.showOutput' };
  }
}
