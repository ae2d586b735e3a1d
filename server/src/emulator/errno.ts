// Linux's errno values (Xen's public errno.h uses the same) with glibc's strerror() texts, which
// is what the tools print: xen-livepatch after "Error %d: ", kmod, busybox sh and cat.

const table = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  ESRCH: [3, 'No such process'],
  EINTR: [4, 'Interrupted system call'],
  EIO: [5, 'Input/output error'],
  E2BIG: [7, 'Argument list too long'],
  ENOEXEC: [8, 'Exec format error'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EACCES: [13, 'Permission denied'],
  EFAULT: [14, 'Bad address'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  ENODEV: [19, 'No such device'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  ENOSPC: [28, 'No space left on device'],
  ERANGE: [34, 'Numerical result out of range'],
  ENOSYS: [38, 'Function not implemented'],
  EOVERFLOW: [75, 'Value too large for defined data type'],
  EOPNOTSUPP: [95, 'Operation not supported'],
  ETIMEDOUT: [110, 'Connection timed out'],
} as const;

export type ErrnoName = keyof typeof table;

/** The positive errno number of a name. */
export const errno = (name: ErrnoName): number => table[name][0];

/** strerror(3) of a positive errno; unknown numbers as glibc words them. */
export function strerror(code: number): string {
  const entry = Object.values(table).find(([n]) => n === code);
  return entry ? entry[1] : `Unknown error ${code}`;
}
