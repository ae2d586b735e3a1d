#ifndef _LINUX_VERMAGIC_H
#define _LINUX_VERMAGIC_H

/* The kernel the module is built for; the loader refuses a module whose vermagic differs. */
#define UTS_RELEASE "6.1.0-livepatch-lens-sample"
#define VERMAGIC_STRING UTS_RELEASE " SMP preempt mod_unload "

#endif
