import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { limitHeapGrowth } from '../src/gc.ts';

describe('heap growth of engine processes', () => {
  it('defaults to 50 % and reads TDM_HEAP_GROWING_PERCENT (0 leaves V8 its own factor)', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ TDM_HEAP_GROWING_PERCENT: '25' }).heapGrowingPercent).toBe(25);
    expect(loadConfig({ TDM_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ TDM_HEAP_GROWING_PERCENT: 'lots' }).heapGrowingPercent).toBe(50);
    expect(loadConfig({ TDM_HEAP_GROWING_PERCENT: '-5' }).heapGrowingPercent).toBe(50);
    expect(loadConfig({ TDM_HEAP_GROWING_PERCENT: '5000' }).heapGrowingPercent).toBe(1000);
  });

  it('sets the factor in the running process, and V8 keeps working with it', () => {
    limitHeapGrowth(50);
    const garbage: number[][] = [];
    for (let i = 0; i < 2000; i++) garbage.push(new Array(1000).fill(i));
    expect(garbage.length).toBe(2000);
    limitHeapGrowth(0);
  });
});
