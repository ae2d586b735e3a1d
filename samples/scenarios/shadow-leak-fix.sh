# A data-structure change done right (issue 10 §4, the idea of the kernel's shadow samples):
# leaky's work allocates a dummy and a 1000-byte buffer every second and loses the buffer's
# pointer; leaky_fix cannot add a field to struct dummy, so it keeps the pointer in a shadow
# variable <dummy, 1> and frees the buffer with the dummy. /proc/slabinfo's kmalloc-1k
# active_objs counts the buffers: the leaked ones are those still there after rmmod.

insmod ../build/payloads/klp/leaky.ko
sleep 10
rmmod leaky                                    # frees its dummies, not their buffers
cat /proc/slabinfo                             # kmalloc-1k: 10 active, all leaked
insmod ../build/payloads/klp/leaky-fix.ko      # patches the object 'leaky' whenever it loads
insmod ../build/payloads/klp/leaky.ko          # livepatch: applying patch 'leaky_fix' to loading module 'leaky'
sleep 10
cat /proc/slabinfo                             # kmalloc-1k: 10 old + the live dummies' buffers
rmmod leaky
cat /proc/slabinfo                             # kmalloc-1k: still 10: this run leaked none
