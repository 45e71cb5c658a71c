/**
 * Stand-ins built from the real part: the object itself, with one method replaced or every method passed
 * through a wrapper (to count, pause, kill or fault calls). What is not replaced stays the real one's.
 */

/** A method as a wrapper sees it: it passes the arguments on and returns what the real one returns. */
export type Call = (...args: unknown[]) => unknown;

/** The object with one method replaced, every other member still the real one's. */
export function withMethod<T extends object, K extends keyof T>(real: T, name: K, replacement: T[K]): T {
  return new Proxy(real, {
    get(target, property) {
      if (property === name) return replacement;
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The object with every method passed through `wrap` (given the real method, bound, and its name), e.g. a
 * Calendar gateway whose calls are counted or stop after a kill. A method added to the real one later is
 * wrapped too.
 */
export function wrapMethods<T extends object>(real: T, wrap: (call: Call, name: string) => Call): T {
  return new Proxy(real, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return wrap(value.bind(target) as Call, String(property));
    },
  });
}
