/** Takes the EMF lines out of what is written to stdout; returns the undo. */
export function captureEmf(lines: Record<string, unknown>[]): () => void {
  const original = process.stdout.write;
  process.stdout.write = function write(this: typeof process.stdout, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (text.includes('"_aws"')) {
      for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
  };
}
