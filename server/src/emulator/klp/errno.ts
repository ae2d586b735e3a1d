// The errno values and glibc's strerror() texts the shell and kmod print.

export const EPERM = 1;
export const ENOENT = 2;
export const ENOEXEC = 8;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;

const MESSAGES: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  4: 'Interrupted system call',
  5: 'Input/output error',
  7: 'Argument list too long',
  8: 'Exec format error',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  14: 'Bad address',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  20: 'Not a directory',
  21: 'Is a directory',
  22: 'Invalid argument',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  38: 'Function not implemented',
  95: 'Operation not supported',
  110: 'Connection timed out',
};

/** strerror(errno) as glibc words it; unknown numbers as `Unknown error N`. */
export function strerror(errno: number): string {
  return MESSAGES[errno] ?? `Unknown error ${errno}`;
}
export const ESRCH = 3;
export const EACCES = 13;
export const EISDIR = 21;
export const EIO = 5;
