/**
 * Reading a byte stream ahead of its consumer: pulling starts at once and holds up to `limit` bytes
 * in memory until the consumer starts; from then on it gets what was buffered and then the rest
 * straight from the source, at its own pace. A failure while reading ahead reaches the consumer
 * when it gets there, not before.
 */

export interface ReadAhead {
  /** What the source yields, in order (iterate once). */
  chunks: AsyncIterable<Uint8Array>;
  /** Stops reading (the source's `return()`, which closes its file) when it will not be consumed. */
  cancel(): Promise<void>;
  /**
   * Settles once reading ahead stopped (the limit reached, the source exhausted or failed, or the
   * consumer started): the bytes held, and whether they are the whole source.
   */
  filled: Promise<{ bytes: number; whole: boolean }>;
}

export function readAhead(source: AsyncIterable<Uint8Array>, limit: number): ReadAhead {
  const it = source[Symbol.asyncIterator]();
  const buffer: Uint8Array[] = [];
  let bytes = 0;
  let done = false;
  let started = false;
  let failure: { error: unknown } | null = null;
  const filling = (async () => {
    try {
      while (!started && !done && bytes < limit) {
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
    }
  })();

  async function* chunks(): AsyncGenerator<Uint8Array> {
    started = true;
    await filling;
    for (let chunk = buffer.shift(); chunk; chunk = buffer.shift()) yield chunk;
    if (failure) throw (failure as { error: unknown }).error;
    if (done) return;
    // The rest straight from the source; an early stop of the consumer returns the source too.
    yield* { [Symbol.asyncIterator]: () => it };
  }

  return {
    filled: filling.then(() => ({ bytes, whole: done && !failure })),
    chunks: chunks(),
    async cancel() {
      started = true;
      await filling;
      await it.return?.();
    },
  };
}
