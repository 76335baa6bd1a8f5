/**
 * Reading a byte stream ahead of its consumer: pulling starts at once and holds up to `limit` bytes
 * in memory, then waits for the consumer, who gets what was buffered and then the rest as it comes.
 * A failure while reading ahead reaches the consumer when it gets there, not before.
 */

export interface ReadAhead {
  /** What the source yields, in order (iterate once). */
  chunks: AsyncIterable<Uint8Array>;
  /** Stops reading (the source's `return()`, which closes its file) when it will not be consumed. */
  cancel(): Promise<void>;
}

export function readAhead(source: AsyncIterable<Uint8Array>, limit: number): ReadAhead {
  const it = source[Symbol.asyncIterator]();
  const buffer: Uint8Array[] = [];
  let bytes = 0;
  let done = false;
  let failure: { error: unknown } | null = null;
  let filling: Promise<void> | null = null;

  const fill = (): Promise<void> => {
    filling ??= (async () => {
      try {
        while (!done && bytes < limit) {
          const r = await it.next();
          if (r.done) done = true;
          else {
            buffer.push(r.value);
            bytes += r.value.byteLength;
          }
        }
      } catch (error) {
        failure = { error };
        done = true;
      } finally {
        filling = null;
      }
    })();
    return filling;
  };
  void fill();

  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = buffer.shift();
      if (chunk) {
        bytes -= chunk.byteLength;
        if (!done) void fill();
        yield chunk;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done) return;
      await fill();
    }
  }

  return {
    chunks: chunks(),
    async cancel() {
      if (done && !filling) return;
      done = true;
      await filling;
      await it.return?.();
    },
  };
}
