# __schedule and switch_to (issue 10 §4). Run on the variant of the target whose __schedule is
# traceable, as in kernels before it was made notrace:
#   livepatch-lens emu --runtime linux --target samples/build/target-traceable-schedule/sample-target --script samples/scenarios/schedule-switch-to.sh
# lp_schedule's __schedule switches stacks inline (its own prologue saves the callee-saved
# registers, the resumed task continues in its epilogue); every sleeping task was put to sleep
# by the original, whose __switch_to_asm saved them in another order and returns with `ret`.
# The first switch the new __schedule makes to such a task restores the wrong registers and
# returns to a wrong address: the kernel oopses in the idle task, which is a panic.
# On the normal target the same module is refused: __schedule is notrace (schedule-notrace.sh).

ps                                              # every task sleeps in __schedule (the original)
insmod ../build/payloads/klp/lp-schedule.ko     # its log: the oops (RIP, pid 0 swapper, call trace) and the panic
expect 1 ps                                     # the kernel is dead until reset
expect 1 dump
reset
