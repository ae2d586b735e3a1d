import { hex16 } from '../addr';
import type { KernelServices } from './kernelServices';
import { ProcessEnded } from './processEnded';

/**
 * The target's /proc files: each is an entry of its proc_entries table, read by running the
 * target's proc_read() in a `cat` process, so the show function that runs is whatever ftrace
 * redirects it to (patched or not). Also /proc/<pid>/patch_state from the livepatch core's slot.
 */
export function registerProcFiles(kernel: KernelServices): void {
  const m = kernel.machine;
  const table = m.symbols.get('proc_entries');
  if (table && kernel.layout.has('proc_entry')) {
    const size = BigInt(kernel.layout.size('proc_entry'));
    const nameOffset = kernel.layout.offset('proc_entry', 'name');
    for (let at = table.address; at + size <= table.address + table.size; at += size) {
      const namePointer = m.memory.readU64(at + nameOffset);
      if (namePointer === 0n) continue;
      const name = m.memory.readCString(namePointer, 256);
      kernel.fs.register(`/proc/${name}`, { read: () => readProcFile(kernel, name) });
    }
  }
}

/** Taint letters in bit order (kernel/panic.c taint_flags), for /proc/modules. */
const TAINT_LETTERS = 'PFSRMBUDAWCIOELKXT';

/**
 * /proc/modules (kernel/module/procfs.c m_show) and /proc/sys/kernel/tainted, from the module
 * loader's state: `name size refcount users state address (taints)`.
 */
export function registerModuleFiles(kernel: KernelServices): void {
  kernel.fs.register('/proc/sys/kernel/tainted', {
    read: () => `${kernel.modules.taints}
`,
  });
  kernel.fs.register('/proc/modules', {
    read: () =>
      kernel.modules
        .list()
        .map((mod) => {
          const users =
            [...mod.usedBy].map((u) => `${u.name},`).join('') + (mod.symbol('init_module') !== undefined && mod.symbol('cleanup_module') === undefined ? '[permanent],' : '');
          const state = mod.state === 'going' ? 'Unloading' : mod.state === 'coming' ? 'Loading' : 'Live';
          const taints = [...TAINT_LETTERS].filter((_, bit) => mod.taints & (1 << bit)).join('');
          const size = mod.image.end - mod.image.start;
          return `${mod.name} ${size} ${mod.refcount} ${users || '-'} ${state} 0x${hex16(mod.image.start)}${taints ? ` (${taints})` : ''}
`;
        })
        .reverse()
        .join(''),
  });
}

/**
 * /proc/slabinfo (mm/slab_common.c, version 2.1) for the kmalloc-N caches: active_objs is what
 * a leak makes grow. The slab geometry is SLUB's for order-0 slabs, reduced: no tunables.
 */
export function registerSlabInfo(kernel: KernelServices): void {
  const name = (size: bigint) => `kmalloc-${size >= 1024n ? `${size / 1024n}k` : size}`;
  kernel.fs.register('/proc/slabinfo', {
    read: () =>
      [
        'slabinfo - version: 2.1',
        '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
        ...kernel.heap
          .caches()
          .reverse()
          .map(({ size, active, total }) => {
            const pages = size > 4096n ? Number(size / 4096n) : 1;
            const perSlab = Math.max(1, Math.floor((pages * 4096) / Number(size)));
            const slabs = Math.ceil(total / perSlab);
            const column = (value: number, width: number) => String(value).padStart(width);
            return `${name(size).padEnd(17)} ${column(active, 6)} ${column(total, 6)} ${column(Number(size), 6)} ${column(perSlab, 4)} ${column(pages, 4)} : tunables ${column(0, 4)} ${column(0, 4)} ${column(0, 4)} : slabdata ${column(slabs, 6)} ${column(slabs, 6)} ${column(0, 6)}`;
          }),
      ]
        .map((line) => `${line}\n`)
        .join(''),
  });
}

/** What `cat /proc/<name>` prints: the target's proc_read(name), in a process of its own. */
function readProcFile(kernel: KernelServices, name: string): string {
  const arg = kernel.heap.string(name);
  try {
    const result = kernel.syscall('cat', kernel.symbol('proc_read'), [arg]);
    if (result.status !== 'returned') throw ProcessEnded.of(result);
    return result.value === 0n ? '' : kernel.machine.memory.readCString(result.value, 1 << 20);
  } finally {
    kernel.heap.free(arg);
  }
}

/** /proc/<pid>/...: looked up when read, since tasks come and go. */
export function procPidFile(kernel: KernelServices, path: string): { read(): string } | undefined {
  const m = /^\/proc\/(\d+)\/(patch_state|comm|stat)$/.exec(path);
  if (!m) return undefined;
  const task = kernel.tasks.byPid(Number(m[1]));
  if (!task) return undefined;
  if (m[2] === 'patch_state') return { read: () => `${task.klp.patchState}\n` };
  if (m[2] === 'comm') return { read: () => `${task.comm}\n` };
  return { read: () => `${task.pid} (${task.comm}) ${task.state}\n` };
}
