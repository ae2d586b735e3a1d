# On the normal target __schedule is notrace (no __fentry__ call at its start), as in Linux
# since 5.x: ftrace has no location for it and klp_enable_patch() fails with -EINVAL, so insmod
# reports "Invalid parameters" and nothing is patched. (schedule-switch-to.sh shows why.)

expect 1 insmod ../build/payloads/klp/lp-schedule.ko
expect 1 cat /sys/kernel/livepatch/lp_schedule/enabled   # no such patch
ps                                                       # the kernel goes on
