import type { EmulatorCpusState, EmulatorPayloadState, LinuxEmulatorState, LinuxPatchState, TargetStateParams, XenEmulatorState } from '../../../../server/src/protocol';
import { linuxModuleVerbs, linuxPatchVerbs, xenVerbs } from './actions';
import type { EmulatorModel } from './model';

// No `vscode` import here: the view's content is computed (and unit-tested) as plain data;
// tree.ts only turns each node into a TreeItem.

export interface ViewNode {
  /** Stable across refreshes, so the tree keeps what the user expanded. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id, and a theme colour for it. */
  icon?: string;
  iconColor?: string;
  /** `kind:verb:verb`: package.json's menus offer a verb's action where `viewItem =~ /:verb(:|$)/`. */
  contextValue: string;
  /** The payload, patch or module the node's actions take (commands receive the node). */
  name?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  expanded?: boolean;
  children: ViewNode[];
}

const node = (id: string, label: string, more: Partial<ViewNode> = {}): ViewNode => ({ id, label, contextValue: id.split('/')[0], children: [], ...more });
const contextOf = (kind: string, verbs: string[]): string => [kind, ...verbs].join(':');
const fileName = (path: string | undefined): string => path?.split('/').pop() ?? '';
const EAGAIN = -11;

function targetNode(target: TargetStateParams | undefined): ViewNode {
  const selectTarget = { command: 'livepatch.selectTarget', title: 'Select Target...' };
  const where = target?.bundled ? `${target.path} (the bundled sample target)` : (target?.path ?? '');
  const base = { icon: 'target', command: selectTarget, contextValue: 'target' };
  switch (target?.state) {
    case 'ready':
      return node('target', `Target: ${fileName(target.path)}`, {
        ...base,
        description: `${target.flavour ?? ''} · build-id ${target.buildId ?? '?'}`,
        tooltip: `${where}\nClick to select another target.`,
      });
    case 'loading':
      return node('target', `Target: ${fileName(target.path)}`, { ...base, icon: 'sync~spin', description: 'indexing…', tooltip: where });
    case 'failed':
      return node('target', `Target: ${fileName(target.path)}`, {
        ...base,
        icon: 'error',
        iconColor: 'errorForeground',
        description: 'cannot be indexed',
        tooltip: `${target.path}: ${target.detail}`,
      });
    default:
      return node('target', 'Target: none', { ...base, description: 'select one', tooltip: target?.detail ?? 'The language server has not reported a target yet.' });
  }
}

function payloadIcon(p: EmulatorPayloadState): Pick<ViewNode, 'icon' | 'iconColor'> {
  if (p.rc === EAGAIN) return { icon: 'sync~spin' };
  if (p.rc < 0) return { icon: 'error', iconColor: 'errorForeground' };
  return p.state === 'APPLIED' ? { icon: 'pass-filled', iconColor: 'testing.iconPassed' } : { icon: 'circle-large-outline' };
}

function xenPayload(p: EmulatorPayloadState, state: XenEmulatorState): ViewNode {
  const id = `xenPayload/${p.name}`;
  const rc = p.rc < 0 ? ` · rc ${p.rc}${p.rc === EAGAIN ? ' (pending)' : ''}` : '';
  return node(id, p.name, {
    name: p.name,
    ...payloadIcon(p),
    description: `${p.state}${rc}`,
    tooltip: [`${p.name}: ${p.state}${rc}`, `build-id ${p.buildId}`, `depends on ${p.depends || '-'}`, `Xen build-id ${p.xenDepends || '-'}`, ...p.metadata].join('\n'),
    contextValue: contextOf('xenPayload', xenVerbs(p, state)),
    expanded: true,
    children: p.funcs.map((f) =>
      node(`${id}/${f.name}`, f.name, {
        icon: 'symbol-function',
        ...(f.applied ? { iconColor: 'testing.iconPassed' } : {}),
        description: `${f.applied ? 'applied' : 'not applied'} · ${f.oldAddr} → ${f.newAddr === '0x0' ? 'NOP' : f.newAddr}`,
        tooltip: `old ${f.oldAddr} (${f.oldSize} bytes), new ${f.newAddr} (${f.newSize} bytes)${f.bytes ? `\nbytes at old_addr: ${f.bytes}` : ''}`,
        contextValue: 'xenFunction',
      }),
    ),
  });
}

/** The hypervisor's build-id, then each applied payload's on top of the one it depends on. */
function buildIdChain(state: XenEmulatorState): ViewNode {
  const byName = new Map(state.payloads.map((p) => [p.name, p]));
  const links = state.appliedStack.map((name) => byName.get(name)).filter((p): p is EmulatorPayloadState => !!p);
  return node('buildIdChain', 'Build-id chain', {
    icon: 'link',
    description: `${links.length} applied`,
    expanded: true,
    children: [
      node('buildIdChain/xen', fileName(state.target), { icon: 'server', description: state.buildId ?? 'not booted', contextValue: 'buildId' }),
      ...links.map((p) => node(`buildIdChain/${p.name}`, p.name, { icon: 'arrow-up', description: p.buildId, tooltip: `depends on ${p.depends || '-'}`, contextValue: 'buildId' })),
    ],
  });
}

/**
 * The machine's CPUs once another CPU ran or an interrupt was raised: for each, where it is
 * (function+offset), its interrupt flag and NMI latch, and its task (`run CPU FUNCTION --loop`).
 */
function cpusNode(runtime: string, cpus: EmulatorCpusState): ViewNode {
  return node(`${runtime}/cpus`, 'CPUs', {
    icon: 'circuit-board',
    description: `${cpus.count} · seed ${cpus.seed} · poke ${cpus.poke}`,
    tooltip: `${cpus.count} CPUs interleaved by the seeded scheduler (seed ${cpus.seed}: the run replays by it); live patches written by the ${cpus.poke} protocol.`,
    expanded: true,
    children: cpus.cpus.map((cpu) => {
      const task = cpu.id === 0 ? 'runs the commands' : cpu.job ? `runs ${cpu.job}${cpu.loop ? ' (loop)' : ''}` : 'idle';
      const irq = [`IRQs ${cpu.irqs ? 'on' : 'off'}`, ...(cpu.inNmi ? ['in an NMI'] : []), ...(cpu.lostNmis ? [`${cpu.lostNmis} NMIs lost`] : [])];
      return node(`${runtime}/cpus/${cpu.id}`, `CPU${cpu.id}`, {
        icon: cpu.inNmi ? 'zap' : cpu.irqs ? 'pulse' : 'circle-slash',
        ...(cpu.inNmi ? { iconColor: 'problemsWarningIcon.foreground' } : {}),
        description: [cpu.where ? `at ${cpu.where}` : '', task, ...irq].filter(Boolean).join(' · '),
        tooltip: [
          `CPU${cpu.id}: ${task}${cpu.id === 0 ? '' : `, ${cpu.calls} calls returned`}`,
          cpu.where ? `at ${cpu.where}` : '',
          irq.join(', '),
          cpu.atRendezvous ? `at the last rendezvous: ${cpu.atRendezvous}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
        contextValue: 'cpu',
      });
    }),
  });
}

function xenSession(state: XenEmulatorState | undefined): ViewNode {
  const booted = !!state?.buildId;
  const children: ViewNode[] = [];
  if (state?.panicked) children.push(node('xen/panic', `panicked: ${state.panicked}`, { icon: 'error', iconColor: 'errorForeground', contextValue: 'panic' }));
  if (state && booted) children.push(buildIdChain(state));
  if (state) children.push(...state.payloads.map((p) => xenPayload(p, state)));
  if (!state?.payloads.length)
    children.push(
      node('xen/empty', 'No payload uploaded', { icon: 'cloud-upload', contextValue: 'hint', command: { command: 'livepatch.uploadPayload', title: 'Upload Payload...' } }),
    );
  if (state?.cpus) children.push(cpusNode('xen', state.cpus));
  return node('xenSession', 'Xen hypervisor', {
    icon: state?.panicked ? 'error' : 'server-process',
    ...(state?.panicked ? { iconColor: 'errorForeground' } : {}),
    description: state?.panicked ? 'panicked' : booted ? `${state.payloads.length} payload${state.payloads.length === 1 ? '' : 's'}` : 'not booted',
    contextValue: contextOf('xenSession', state?.panicked ? ['reset'] : ['upload', 'reset']),
    expanded: true,
    children,
  });
}

function linuxPatch(p: LinuxPatchState, state: LinuxEmulatorState): ViewNode {
  const id = `linuxPatch/${p.name}`;
  const flags = [p.enabled ? 'enabled' : 'disabled', p.transition ? 'in transition' : '', p.forced ? 'forced' : '', p.replace ? 'replace' : ''].filter(Boolean);
  return node(id, p.name, {
    name: p.name,
    icon: p.transition ? 'sync~spin' : p.enabled ? 'pass-filled' : 'circle-slash',
    ...(p.enabled && !p.transition ? { iconColor: 'testing.iconPassed' } : {}),
    description: flags.join(' · '),
    contextValue: contextOf('linuxPatch', linuxPatchVerbs(p, state)),
    expanded: true,
    children: p.objects.map((o) =>
      node(`${id}/${o.name}`, o.name, {
        icon: 'package',
        description: o.patched ? 'patched' : 'not patched',
        contextValue: 'linuxObject',
        expanded: true,
        children: o.funcs.map((f) =>
          node(`${id}/${o.name}/${f.name}`, f.name, {
            icon: 'symbol-function',
            ...(f.patched ? { iconColor: 'testing.iconPassed' } : {}),
            description: `${f.patched ? 'patched' : 'not patched'}${f.transition ? ' · in transition' : ''} · ${f.newAddr ? `→ ${f.newAddr}` : 'no-op'}`,
            contextValue: 'linuxFunction',
          }),
        ),
      }),
    ),
  });
}

const noModule = (): ViewNode =>
  node('linux/empty', 'No livepatch module loaded', { icon: 'cloud-upload', contextValue: 'hint', command: { command: 'livepatch.loadPayload', title: 'Load Payload...' } });

const patchStates: Record<number, string> = { [-1]: 'no transition', 0: 'unpatched', 1: 'patched' };

function linuxSession(state: LinuxEmulatorState | undefined): ViewNode {
  const children: ViewNode[] = [];
  if (state?.panicked) children.push(node('linux/panic', `panicked: ${state.panicked}`, { icon: 'error', iconColor: 'errorForeground', contextValue: 'panic' }));
  if (state) {
    const patches = state.patches.map((p) => linuxPatch(p, state));
    children.push(...(patches.length ? patches : [noModule()]));
    const t = state.transition;
    const blocking = new Map(t?.blocking.map((b) => [b.pid, b.function ? `blocked in ${b.function}` : 'blocked: running']) ?? []);
    if (t)
      children.push(
        node('linux/transition', `Transition: ${t.patch} → ${t.target}`, { icon: 'sync~spin', description: `${t.blocking.length} blocking`, contextValue: 'transition' }),
      );
    children.push(
      node('linux/tasks', 'Tasks', {
        icon: 'list-tree',
        description: `${state.tasks.length}${blocking.size ? ` · ${blocking.size} blocking` : ''}`,
        expanded: blocking.size > 0,
        children: state.tasks.map((task) =>
          node(`linux/tasks/${task.pid}`, `${task.comm}`, {
            icon: blocking.has(task.pid) ? 'debug-pause' : 'circle-small',
            ...(blocking.has(task.pid) ? { iconColor: 'problemsWarningIcon.foreground' } : {}),
            description: [`pid ${task.pid}`, task.state, `patch_state ${task.patchState} (${patchStates[task.patchState] ?? '?'})`, blocking.get(task.pid)]
              .filter(Boolean)
              .join(' · '),
            tooltip: task.stack.length ? `stack, innermost first:\n${task.stack.join('\n')}` : 'running',
            contextValue: 'linuxTask',
          }),
        ),
      }),
      node('linux/modules', 'Modules', {
        icon: 'extensions',
        description: `${state.modules.length}`,
        expanded: true,
        children: state.modules.map((m) =>
          node(`linuxModule/${m.name}`, m.name, {
            name: m.name,
            icon: 'package',
            description: [
              m.state,
              m.livepatch ? 'livepatch' : '',
              m.refcount ? `${m.refcount} reference${m.refcount === 1 ? '' : 's'}` : '',
              m.usedBy.length ? `used by ${m.usedBy.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' · '),
            contextValue: contextOf('linuxModule', linuxModuleVerbs(m, state)),
          }),
        ),
      }),
    );
    if (state.cpus) children.push(cpusNode('linux', state.cpus));
  } else children.push(noModule());
  return node('linuxSession', 'Linux kernel', {
    icon: state?.panicked ? 'error' : 'vm',
    ...(state?.panicked ? { iconColor: 'errorForeground' } : {}),
    description: state?.panicked ? 'panicked' : (state?.version ?? 'not booted'),
    contextValue: contextOf('linuxSession', ['insmod', 'reset']),
    expanded: true,
    children,
  });
}

/**
 * The Livepatch view: the target, then the session of each runtime the target can run (both
 * for the bundled sample), or one line saying why the emulator is off.
 */
export function viewNodes(model: EmulatorModel, trusted: boolean): ViewNode[] {
  const flavour = model.target?.flavour;
  const roots = [targetNode(model.target)];
  if (!trusted) {
    roots.push(
      node('untrusted', 'Emulator disabled: this workspace is not trusted', {
        icon: 'shield',
        tooltip: 'The emulator runs code the workspace provides, so Workspace Trust must be granted first. The checks run anyway.',
        command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' },
        contextValue: 'untrusted',
      }),
    );
    return roots;
  }
  if (model.xen || flavour !== 'linux') roots.push(xenSession(model.xen));
  if (model.linux || flavour !== 'xen') roots.push(linuxSession(model.linux));
  return roots;
}
