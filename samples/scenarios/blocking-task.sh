# A task that blocks the transition (issue 10 §4): sleepy_work's delayed work sleeps 5 s inside
# sleepy_work_fn() on a kworker, and lp_sleepy_patch replaces sleepy_work_fn(). The kernel may
# switch a task only when no function being patched is on its stack, so the kworker keeps the
# transition open until its sleep ends. Modules: samples/build/payloads/klp (npm run samples).

insmod ../build/payloads/klp/sleepy-work.ko sleep_secs=5
insmod ../build/payloads/klp/lp-sleepy-patch.ko
cat /sys/kernel/livepatch/lp_sleepy_patch/transition   # 1: in flight
ps                                                     # the kworker asleep in sleepy_work_fn, patch_state 0
sleep 2                                                # retried every second: still blocked
cat /sys/kernel/livepatch/lp_sleepy_patch/transition
sleep 4                                                # msleep ends, the kworker leaves sleepy_work_fn
cat /sys/kernel/livepatch/lp_sleepy_patch/transition   # 0: patching complete
dmesg
