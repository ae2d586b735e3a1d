#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

/* Sleeps at least msecs milliseconds (uninterruptibly: a signal does not end it). */
void msleep(unsigned int msecs);
unsigned long msleep_interruptible(unsigned int msecs);

#endif
