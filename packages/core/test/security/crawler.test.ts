/** The recipe: `file:///…` URLs were crawled and their contents landed in a dataset. */
import { describe, expect, it } from 'vitest';
import { crawlFormsSettled } from '../../src/crawl/index.ts';

describe('the crawler reads web pages only', () => {
  it.each(['file:///etc/passwd', 'FILE:///etc/hostname', 'data:text/html,<form><input name=a></form>', 'javascript:alert(1)', 'ftp://example.com/'])(
    'refuses %s as INVALID_URL without opening anything',
    async (url) => {
      const [outcome] = await crawlFormsSettled([url]);
      expect(outcome?.ok).toBe(false);
      expect(outcome?.error).toMatchObject({ code: 'CRAWL_FAILED', reason: 'INVALID_URL' });
      expect(outcome?.error?.message).toMatch(/only http and https/);
    },
  );
});
