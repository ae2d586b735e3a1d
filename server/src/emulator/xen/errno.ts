// Xen's errno values (xen/include/public/errno.h) are Linux's; xen-livepatch prints glibc's
// strerror text after "Error %d: ". One table serves both runtimes.
export { errno, strerror, ErrnoName } from '../errno';
