/** The last index of ascending `values` holding `value` or less; -1 when every value is greater. */
export function lastAtOrBelow<T extends number | bigint | string>(values: ArrayLike<T>, value: T): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
