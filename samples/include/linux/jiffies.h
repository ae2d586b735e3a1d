#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <linux/kernel.h>

/* CONFIG_HZ of the sample kernel (Debian's), matching the target's NSEC_PER_JIFFY. */
#define HZ 250

#endif
