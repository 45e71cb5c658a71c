/**
 * A copy of `value` without `keys`: how a test sends a resource with a field left out (with
 * exactOptionalPropertyTypes a field set to undefined is not the same as one that is absent).
 */
export function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}
