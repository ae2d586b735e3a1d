# Stacked patches and the transition (issue 10 §4, the seed's discussion of func->transition):
# lp_minor1 and lp_minor2 both patch xen_minor_version() (1001, 1002). minor_caller's work calls
# it on a kworker; lp_minor2_hold=1 makes that first call sleep 1 s inside lp_minor2's function.
# Disabling lp_minor2 then sets func->transition on lp_minor2's func only: a task that has
# switched (patch_state 0) runs lp_minor1's function, not the original; the held kworker
# (patch_state 1) still runs lp_minor2's until it leaves it and the transition ends.

insmod ../build/payloads/klp/lp-minor1.ko
call xen_minor_version                                  # 1001
insmod ../build/payloads/klp/lp-minor2.ko lp_minor2_hold=1
insmod ../build/payloads/klp/minor-caller.ko            # its kworker now sleeps inside lp_minor2's function
echo 0 > /sys/kernel/livepatch/lp_minor2/enabled
cat /sys/kernel/livepatch/lp_minor2/transition          # 1: the kworker holds it
ps                                                      # the held kworker: patch_state 1, asleep in lp_minor2_minor_version
call --pid 5 xen_minor_version                          # a switched kworker: 1001, lp_minor1's
call --pid 4 xen_minor_version                          # the held one: 1002, lp_minor2's
sleep 2                                                 # it wakes, calls again (still 1002), leaves: unpatching complete
expect 1 cat /sys/kernel/livepatch/lp_minor2/enabled    # gone: a disabled patch is freed once its transition ends
call --pid 4 xen_minor_version                          # all run lp_minor1's now: 1001
call xen_minor_version                                  # 1001
