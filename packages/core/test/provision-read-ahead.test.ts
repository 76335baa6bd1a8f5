/**
 * readAhead (provision/read-ahead.ts): the next table's COPY text is read while the current one
 * loads, bounded in memory, in order, failures delivered when the consumer gets there, and a table
 * that will not be loaded has its source closed.
 */
import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/provision/read-ahead.ts';

/** A source of `n` chunks of `size` bytes that counts what was pulled and whether it was closed. */
function source(n: number, size: number, failAt = -1) {
  const state = { pulled: 0, closed: false };
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`unreadable chunk ${i}`);
        state.pulled++;
        yield new Uint8Array(size).fill(i);
      }
    } finally {
      state.closed = true;
    }
  }
  return { chunks: gen(), state };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of chunks) out.push(c[0] as number);
  return out;
}

describe('readAhead', () => {
  it.each([
    { limit: 0, before: 0 },
    { limit: 1, before: 1 },
    { limit: 250, before: 3 },
    { limit: 10_000, before: 10 },
  ])('reads up to $limit bytes before the consumer starts ($before chunks of 100), then everything in order', async ({ limit, before }) => {
    const s = source(10, 100);
    const ahead = readAhead(s.chunks, limit);
    await settle();
    expect(s.state.pulled).toBe(before);
    expect(await collect(ahead.chunks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.state.closed).toBe(true);
  });

  it('delivers a failure met while reading ahead only after the chunks read before it', async () => {
    const s = source(10, 100, 2);
    const ahead = readAhead(s.chunks, 10_000);
    await settle();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const c of ahead.chunks) seen.push(c[0] as number);
      })(),
    ).rejects.toThrow(/unreadable chunk 2/);
    expect(seen).toEqual([0, 1]);
  });

  it('closes the source of a table that will not be loaded', async () => {
    const s = source(10, 100);
    const ahead = readAhead(s.chunks, 250);
    await settle();
    await ahead.cancel();
    expect(s.state.closed).toBe(true);
    expect(s.state.pulled).toBe(3);
  });
});
