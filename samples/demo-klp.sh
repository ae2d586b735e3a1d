# Livepatch Lens demo, part 2: Linux kernel live patching on the same bundled sample target,
# booted as an emulated Linux 6.1-like kernel. `livepatch-lens emu --echo --script
# samples/demo-klp.sh` runs it (npm start does, after the Xen demo). The module is the kernel's
# samples/livepatch/livepatch-sample.c; `npm run samples` builds it into build/payloads/klp.
# The commands are a root shell's; a line starting with `expect N` must exit with status N.

# The original /proc/cmdline: the target's cmdline_proc_show() prints the boot command line.
cat /proc/cmdline

# Load the patch module: its init calls klp_enable_patch(), the patching transition starts and,
# with every task asleep outside cmdline_proc_show(), completes at once (see the kernel log).
insmod build/payloads/klp/livepatch-sample.ko
cat /sys/kernel/livepatch/livepatch_sample/enabled
cat /sys/kernel/livepatch/livepatch_sample/transition
cat /proc/cmdline

# Each task's patch_state and the functions on its stack, as the consistency model checks them.
ps

# An enabled patch's module cannot be removed: its reference is held until the patch is disabled.
expect 1 rmmod livepatch_sample

# Disable it: the unpatching transition; /proc/cmdline is the original again.
echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled
cat /proc/cmdline

# Now the module goes, and the patch's sysfs directory with it.
rmmod livepatch_sample
expect 1 cat /sys/kernel/livepatch/livepatch_sample/enabled

# More: samples/scenarios/*.sh, the hazards of issue 10 (a blocked transition, stacked patches,
# __schedule and switch_to, a leak fixed with shadow variables).
