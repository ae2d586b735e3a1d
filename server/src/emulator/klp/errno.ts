// The errno numbers the kernel model returns, named as in the kernel; strerror() from the
// emulator's one table (glibc's texts, which kmod and busybox print).
import { errno } from '../errno';

export { strerror } from '../errno';

export const ENOENT = errno('ENOENT');
export const ESRCH = errno('ESRCH');
export const EIO = errno('EIO');
export const ENOEXEC = errno('ENOEXEC');
export const ENODEV = errno('ENODEV');
export const EFAULT = errno('EFAULT');
export const EACCES = errno('EACCES');
export const EBUSY = errno('EBUSY');
export const EEXIST = errno('EEXIST');
export const EISDIR = errno('EISDIR');
export const EINVAL = errno('EINVAL');
export const EINTR = errno('EINTR');
