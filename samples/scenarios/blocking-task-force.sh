# The blocked transition of blocking-task.sh, ended with `force` instead of waiting: the
# kworker sleeps 60 s in sleepy_work_fn (msleep: uninterruptible, so the fake signals after
# 15 retries do not wake it). Writing 1 to force switches every task at once; the patch can then
# never be removed (its module stays), as in the kernel.

insmod ../build/payloads/klp/sleepy-work.ko sleep_secs=60
insmod ../build/payloads/klp/lp-sleepy-patch.ko
sleep 20                                                   # 20 retries, signals sent: still blocked
cat /sys/kernel/livepatch/lp_sleepy_patch/transition       # 1
echo 1 > /sys/kernel/livepatch/lp_sleepy_patch/force      # every task now patch_state 1
sleep 1                                                    # the next retry completes the transition
cat /sys/kernel/livepatch/lp_sleepy_patch/transition       # 0
ps                                                         # patch_state -1 again; the kworker still asleep in sleepy_work_fn
echo 0 > /sys/kernel/livepatch/lp_sleepy_patch/enabled
sleep 1
expect 1 rmmod lp_sleepy_patch                             # forced: the kernel keeps its module
