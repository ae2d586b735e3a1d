import * as path from 'node:path';
import { compareReleases, debianKernel, findLinuxPieces, HostProbe, LinuxPieces, MissingPiece, MissingPiecesError, PieceOptions, realHost } from './hostPieces';

/** What the host must have to boot Xen with a Linux dom0 that runs xen-livepatch. */
export interface XenPieces extends LinuxPieces {
  /** The hypervisor image: an ELF, or Debian's gzipped one (unpacked before the boot). */
  xen: string;
  /** dom0's kernel: a bzImage. */
  dom0Kernel: string;
  /** xen-privcmd.ko and xenfs.ko of dom0's kernel, when they are modules (Debian's are). */
  dom0Modules: string[];
  xenLivepatch: string;
}

/** The modules dom0 needs for xen-livepatch's hypercalls, in load order (xenfs depends on xen-privcmd). */
const dom0ModulePaths = ['kernel/drivers/xen/xen-privcmd.ko', 'kernel/drivers/xen/xenfs/xenfs.ko'];

const xenPackage = 'xen-system-amd64';

/** Debian's newest hypervisor: /boot/xen-VERSION.gz (not the .efi or .config beside it). */
function debianXen(probe: HostProbe): string | undefined {
  const found = probe
    .list('/boot')
    .filter((name) => /^xen-[\d.]+.*\.gz$/.test(name))
    .sort(compareReleases)
    .at(-1);
  return found && `/boot/${found}`;
}

/** Debian installs the tools per version, /usr/lib/xen-4.17/bin/xen-livepatch; /usr/sbin's is a wrapper script. */
function debianXenLivepatch(probe: HostProbe): string | undefined {
  return probe
    .list('/usr/lib')
    .filter((name) => /^xen-\d/.test(name))
    .sort(compareReleases)
    .reverse()
    .map((name) => `/usr/lib/${name}/bin/xen-livepatch`)
    .find((file) => probe.readable(file));
}

export interface XenPieceOptions extends PieceOptions {
  xen?: string;
  /** dom0's modules folder (/lib/modules/RELEASE) for a --kernel of the user's own. */
  modulesDir?: string;
}

/** The pieces, or a MissingPiecesError naming every missing one, Linux's and Xen's together. */
export function findXenPieces(options: XenPieceOptions = {}, probe: HostProbe = realHost): XenPieces {
  const missing: MissingPiece[] = [];
  let linux: LinuxPieces | undefined;
  try {
    linux = findLinuxPieces(options, probe, false);
  } catch (error) {
    if (!(error instanceof MissingPiecesError)) throw error;
    missing.push(...error.missing);
  }
  const xen = options.xen ?? debianXen(probe);
  if (options.xen && !probe.readable(options.xen)) missing.push({ piece: 'hypervisor', problem: `${options.xen} (--xen) does not exist or cannot be read` });
  else if (!xen) missing.push({ piece: 'hypervisor', problem: 'no /boot/xen-*.gz (or pass --xen FILE)', debianPackage: xenPackage });
  const xenLivepatch = debianXenLivepatch(probe);
  if (!xenLivepatch) missing.push({ piece: 'xen-livepatch', problem: 'no /usr/lib/xen-*/bin/xen-livepatch', debianPackage: xenPackage });
  if (missing.length || !linux || !xen || !xenLivepatch) throw new MissingPiecesError(missing);
  const modulesDir = options.modulesDir ?? (options.kernel ? undefined : `/lib/modules/${debianKernel(probe, false)?.release}`);
  const dom0Modules = modulesDir ? dom0ModulePaths.map((file) => path.join(modulesDir, file)).filter((file) => probe.readable(file)) : [];
  return { ...linux, xen, dom0Kernel: linux.kernel, dom0Modules, xenLivepatch };
}
