// Xen's errno values (xen/include/public/errno.h) are Linux's; the text is glibc's strerror,
// which is what xen-livepatch prints after "Error %d: ".

const table = {
  ENOENT: [2, 'No such file or directory'],
  E2BIG: [7, 'Argument list too long'],
  ENOEXEC: [8, 'Exec format error'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EFAULT: [14, 'Bad address'],
  EACCES: [13, 'Permission denied'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  EINVAL: [22, 'Invalid argument'],
  ERANGE: [34, 'Numerical result out of range'],
  EOVERFLOW: [75, 'Value too large for defined data type'],
  EOPNOTSUPP: [95, 'Operation not supported'],
} as const;

export type ErrnoName = keyof typeof table;

/** The positive errno number of a name. */
export const errno = (name: ErrnoName): number => table[name][0];

/** strerror(3) of a positive errno. */
export function strerror(code: number): string {
  const entry = Object.values(table).find(([n]) => n === code);
  return entry ? entry[1] : `Unknown error ${code}`;
}
