/**
 * `list[i]`, or a clear failure when there is no such item (tests compile under `noUncheckedIndexedAccess`: a
 * missing item fails the test with its index instead of an `undefined` read further down).
 */
export function at<T>(list: readonly T[], i: number): T {
  if (i < 0 || i >= list.length) throw new Error(`expected an item at index ${i}, the list has ${list.length}`);
  return list[i] as T;
}
