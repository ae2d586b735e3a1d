import { postPatch, postUnpatch } from './callbacks';
import { Ftrace } from './ftrace';
import { Steps } from './guestSteps';
import { KlpTask, LivepatchKernel } from './kernelPort';
import { KLP_PATCHED, KLP_UNDEFINED, KLP_UNPATCHED, KlpPatch } from './model';

// kernel/livepatch/transition.c of Linux 6.1: the per-task consistency model. pr_debug lines
// are left out: a default kernel (dynamic debug off) never logs them, so dmesg does not show them.

/** Every SIGNALS_TIMEOUT retries, tasks still pending get a fake signal. */
const SIGNALS_TIMEOUT = 15;

export type SwitchRefusal = { reason: 'running' } | { reason: 'sleeping'; func: string };

/** What the core does when a transition finishes (freeing patches lives in core.c). */
export interface TransitionOwner {
  /** klp_unpatch_replaced_patches() + klp_discard_nops(): a replace patch is now complete. */
  replacedPatchesDone(patch: KlpPatch): void;
  /** After klp_complete_transition(): free the disabled patch, or the ones a replace replaced. */
  transitionFinished(patch: KlpPatch): void;
  /** klp_for_each_patch(): every patch in the list, oldest first. */
  patches(): readonly KlpPatch[];
  /** Runs steps from host context (the transition work runs in a kworker, not inside a native). */
  host<T>(steps: Steps<T>): T;
}

export class Transition {
  patch: KlpPatch | undefined;
  target = KLP_UNDEFINED;
  private signalsCount = 0;
  private readonly pending = new Set<KlpTask>();
  private workQueued = false;
  /** Why each task last failed to switch, for ps and the editor. */
  readonly refusals = new Map<KlpTask, SwitchRefusal>();

  constructor(
    private readonly kernel: LivepatchKernel,
    private readonly ftrace: Ftrace,
    private readonly owner: TransitionOwner,
  ) {}

  /** klp_patch_pending(task): TIF_PATCH_PENDING. */
  isPending(task: KlpTask): boolean {
    return this.pending.has(task);
  }

  private get stateWord(): string {
    return this.target === KLP_PATCHED ? 'patching' : 'unpatching';
  }

  /** klp_init_transition(). */
  init(patch: KlpPatch, state: number): void {
    this.patch = patch;
    this.target = state;
    const initial = state === KLP_PATCHED ? KLP_UNPATCHED : KLP_PATCHED;
    for (const task of this.kernel.tasks()) task.klp.patchState = initial;
    for (const func of patch.funcs()) func.transition = true;
  }

  /** klp_start_transition(). */
  start(): void {
    const patch = this.current();
    this.kernel.printk(`\x015livepatch: '${patch.name}': starting ${this.stateWord} transition\n`);
    for (const task of this.kernel.tasks()) if (task.klp.patchState !== this.target) this.pending.add(task);
    this.refusals.clear();
    this.signalsCount = 0;
  }

  /** klp_cancel_transition(): an enable failed before the transition started. */
  *cancel(): Steps<void> {
    if (this.target !== KLP_PATCHED) return;
    this.target = KLP_UNPATCHED;
    yield* this.complete();
  }

  /** klp_update_patch_state(): the task leaves the kernel or idles; it takes the target state. */
  updatePatchState(task: KlpTask): void {
    if (this.pending.delete(task)) {
      task.klp.patchState = this.target;
      this.refusals.delete(task);
    }
  }

  /** klp_copy_process(). */
  copyProcess(child: KlpTask, parent: KlpTask): void {
    child.klp.patchState = parent.klp.patchState;
    if (this.pending.has(parent)) this.pending.add(child);
  }

  /** klp_try_complete_transition(): switch whom we can; finish, or retry in a second. */
  *tryComplete(): Steps<void> {
    const patch = this.current();
    let complete = true;
    for (const task of this.kernel.tasks()) if (!this.trySwitchTask(task)) complete = false;
    if (!complete) {
      if (this.signalsCount && !(this.signalsCount % SIGNALS_TIMEOUT)) this.sendSignals();
      this.signalsCount++;
      this.queueWork();
      return;
    }
    yield* this.complete();
    this.owner.transitionFinished(patch);
  }

  /** klp_reverse_transition(): writing the opposite value to `enabled` mid-transition. */
  reverse(): void {
    const patch = this.current();
    patch.enabled = !patch.enabled;
    this.target = this.target === KLP_PATCHED ? KLP_UNPATCHED : KLP_PATCHED;
    this.pending.clear();
    this.start();
  }

  /** klp_force_transition(): every pending task takes the target state; every patch is forced. */
  force(): void {
    this.kernel.printk('\x014livepatch: forcing remaining tasks to the patched state\n');
    for (const task of this.kernel.tasks()) this.updatePatchState(task);
    for (const patch of this.owner.patches()) patch.forced = true;
  }

  private current(): KlpPatch {
    if (!this.patch) throw new Error('no livepatch transition in progress');
    return this.patch;
  }

  /** klp_try_switch_task(): false when running elsewhere or a function being changed is on its stack. */
  private trySwitchTask(task: KlpTask): boolean {
    if (task.klp.patchState === this.target) return true;
    if (task.isRunning && task !== this.kernel.currentTask()) {
      this.refusals.set(task, { reason: 'running' });
      return false;
    }
    const blocking = this.stackBlocker(task);
    if (blocking !== undefined) {
      this.refusals.set(task, { reason: 'sleeping', func: blocking });
      return false;
    }
    this.pending.delete(task);
    this.refusals.delete(task);
    task.klp.patchState = this.target;
    return true;
  }

  /** klp_check_stack(): the name of a to-be-patched (or to-be-unpatched) function on the stack. */
  private stackBlocker(task: KlpTask): string | undefined {
    const entries = task.stackFunctions();
    for (const object of this.current().objects) {
      if (!object.patched) continue;
      for (const func of object.funcs) {
        let start: bigint;
        let size: bigint;
        if (this.target === KLP_UNPATCHED) {
          start = func.newFunc;
          size = func.newSize;
        } else {
          const stack = this.ftrace.find(func.oldFunc)?.funcStack ?? [func];
          const previous = stack.length === 1 ? undefined : stack[stack.indexOf(func) + 1];
          start = previous ? previous.newFunc : func.oldFunc;
          size = previous ? previous.newSize : func.oldSize;
        }
        if (entries.some((address) => address >= start && address < start + size)) return func.oldName ?? '';
      }
    }
    return undefined;
  }

  /** klp_send_signals(). */
  private sendSignals(): void {
    if (this.signalsCount === SIGNALS_TIMEOUT) this.kernel.printk('\x015livepatch: signaling remaining tasks\n');
    for (const task of [...this.pending]) this.kernel.wakeUp(task);
  }

  /** schedule_delayed_work(&klp_transition_work, round_jiffies_relative(HZ)); a queued work stays queued. */
  private queueWork(): void {
    if (this.workQueued) return;
    this.workQueued = true;
    this.kernel.scheduleWork(roundJiffiesRelative(this.kernel.jiffies(), BigInt(this.kernel.HZ)), () => {
      this.workQueued = false;
      if (this.patch) this.owner.host(this.tryComplete());
    });
  }

  /** klp_complete_transition(). */
  private *complete(): Steps<void> {
    const patch = this.current();
    if (patch.replace && this.target === KLP_PATCHED) this.owner.replacedPatchesDone(patch);
    if (this.target === KLP_UNPATCHED) this.ftrace.unpatchObjects(patch);
    for (const func of patch.funcs()) func.transition = false;
    for (const task of this.kernel.tasks()) task.klp.patchState = KLP_UNDEFINED;
    this.pending.clear();
    this.refusals.clear();
    for (const object of patch.objects) {
      if (!object.loaded) continue;
      if (this.target === KLP_PATCHED) yield* postPatch(object);
      else yield* postUnpatch(object);
    }
    this.kernel.printk(`\x015livepatch: '${patch.name}': ${this.stateWord} complete\n`);
    this.target = KLP_UNDEFINED;
    this.patch = undefined;
  }
}

/** round_jiffies_relative() on CPU 0: a delay ending on a whole second (rounded down within HZ/4). */
export function roundJiffiesRelative(now: bigint, delay: bigint, hz = delay): bigint {
  const original = now + delay;
  const rem = original % hz;
  const rounded = rem < hz / 4n ? original - rem : original - rem + hz;
  return (rounded > now ? rounded : original) - now;
}
