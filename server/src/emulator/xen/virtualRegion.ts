import { LoadedImage } from '../loader';
import { Machine } from '../machine';

/** The number of bug frame types (BUGFRAME_run_fn, _warn, _bug, _assert): `.bug_frames.0` to `.3`. */
export const BUGFRAME_NR = 4;
/** sizeof(struct bug_frame) and sizeof(struct exception_table_entry) on x86-64, Xen 4.17. */
export const BUG_FRAME_SIZE = 8n;
export const EX_ENTRY_SIZE = 8n;

export interface GuestTable {
  address: bigint;
  count: number;
}

/**
 * Xen's `struct virtual_region` (xen/include/xen/virtual_region.h): a text range and the bug
 * frames and exception table that belong to it. The hypervisor has one, and each payload one,
 * which Debian's 4.17 registers at upload (livepatch_op calls register_virtual_region before
 * the payload joins payload_list) and drops at unload: do_invalid_op() and
 * search_exception_table() find payload code from upload on, in load hooks too.
 */
export interface VirtualRegion {
  /** The payload it belongs to; undefined for the hypervisor's own. */
  payload?: string;
  start: bigint;
  end: bigint;
  /** `.bug_frames.N`, one per frame type. */
  frames: (GuestTable | undefined)[];
  ex: GuestTable | undefined;
}

/** A payload's region: its text, and its tables where the loader placed them. */
export function payloadRegion(name: string, text: { address: bigint; size: bigint }, image: LoadedImage): VirtualRegion {
  const table = (section: string, size: bigint): GuestTable | undefined => {
    const placed = image.sections.find((s) => s.name === section);
    return placed && { address: placed.address, count: Number(placed.size / size) };
  };
  return {
    payload: name,
    start: text.address,
    end: text.address + text.size,
    frames: Array.from({ length: BUGFRAME_NR }, (_, i) => table(`.bug_frames.${i}`, BUG_FRAME_SIZE)),
    ex: table('.ex_table', EX_ENTRY_SIZE),
  };
}

/**
 * The hypervisor's region, as setup_virtual_regions() builds it: _stext to _etext, the linker's
 * `__start_bug_frames`/`__stop_bug_frames_N` and `__start___ex_table`/`__stop___ex_table`
 * where the image has them (a real xen-syms; the sample target has neither table).
 */
export function coreRegion(machine: Machine, target: LoadedImage): VirtualRegion {
  const at = (name: string): bigint | undefined => machine.symbols.get(name)?.address;
  const between = (from: bigint | undefined, to: bigint | undefined, size: bigint): GuestTable | undefined =>
    from !== undefined && to !== undefined && to > from ? { address: from, count: Number((to - from) / size) } : undefined;
  const stops = Array.from({ length: BUGFRAME_NR }, (_, i) => at(`__stop_bug_frames_${i}`));
  const starts = [at('__start_bug_frames'), ...stops.slice(0, -1)];
  return {
    start: at('_stext') ?? target.start,
    end: at('_etext') ?? target.end,
    frames: stops.map((stop, i) => between(starts[i], stop, BUG_FRAME_SIZE)),
    ex: between(at('__start___ex_table'), at('__stop___ex_table'), EX_ENTRY_SIZE),
  };
}

/** find_text_region(): the region whose text holds `address`. */
export function findTextRegion(regions: VirtualRegion[], address: bigint): VirtualRegion | undefined {
  return regions.find((r) => address >= r.start && address < r.end);
}
