/** Built on first use, once per warm container: a cold start pays nothing for what an invocation never needs. */
export function builtOnce<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
