/**
 * Everything written to the console or to stdout/stderr while a test file runs, for the checks that
 * no password ever reaches the output. `captureOutput()` in `beforeAll`, `restoreOutput()` in `afterAll`.
 */
import { format } from 'node:util';
import { vi } from 'vitest';

export const output: string[] = [];
const restores: (() => void)[] = [];

export function captureOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restores.push(() => {
      stream.write = original;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(format(...args));
      original.apply(console, args);
    });
    restores.push(() => spy.mockRestore());
  }
}

export function restoreOutput(): void {
  for (const restore of restores.reverse()) restore();
  restores.length = 0;
}
