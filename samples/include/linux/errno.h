#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H

#define ENOENT 2
#define EINTR 4
#define ENOMEM 12
#define EBUSY 16
#define ENODEV 19
#define EFAULT 14
#define EINVAL 22

#endif
