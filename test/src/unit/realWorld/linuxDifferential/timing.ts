/**
 * The two differences of timing between the emulator and a real kernel that no fix to the
 * emulator removes, and how the comparison takes each into account.
 */

/**
 * Lines a module's own timers print (livepatch-shadow-mod's delayed works: a dummy every second,
 * a check every 3 s, and fix1's and fix2's versions of them). The emulator runs a timer at its
 * jiffy; the real kernel's timer wheel rounds a timer 64 to 511 jiffies away up to the next
 * multiple of 8 jiffies, and one further away to 64 (6.1's kernel/time/timer.c,
 * calc_wheel_index), and a delayed work re-arms from when it ran: the real lines come late, and
 * later each period, and the order of two due in the same second depends on the jiffies at
 * insmod (on Debian's kernel, HZ 250: a dummy every 1.024 s, a check every 3.072 s). And a real
 * command takes time (0.1 to 0.2 s each under TCG), during which the emulator's guest time stands
 * still, so a timer line may land in a command that changes the patch state, and which state it
 * saw depends on the machine's speed. So timer lines are compared only in `sleep` commands,
 * where no patch state changes, as the set of distinct lines: which kinds ran while those
 * patches were in place. The scenario's sleeps are long enough (3.5 s) for every kind to run.
 */
export const timerLine = /^(?:livepatch_shadow_fix\d: livepatch_fix\d_)?(?:dummy_alloc|dummy_check|cleanup_work_func): /;

/**
 * Consecutive repeats of a line are compared as one: a module's exit frees every dummy allocated
 * so far, one line each, and on the real machine the commands themselves take time (tens of ms
 * each under TCG), during which the emulator's guest time stands still.
 */
export function collapseRepeats(lines: readonly string[]): string[] {
  return lines.filter((line, i) => i === 0 || line !== lines[i - 1]);
}
