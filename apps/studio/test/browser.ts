// Shared by the browser tests: the studio's dev server (vite.config.ts, its /graphql proxy pointed
// at an API through API_PORT) and Debian's Chromium through playwright-core.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import type { ViteDevServer } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';

/** False (with a warning naming `suite`) when Debian's Chromium is not installed. */
export function chromiumAvailable(suite: string): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok) console.warn(`${suite} skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  return ok;
}

export interface Studio {
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

const studioDir = fileURLToPath(new URL('..', import.meta.url));

/** Starts the dev server on a free port, proxying /graphql to 127.0.0.1:`apiPort`. */
export async function startStudio(apiPort: number): Promise<Studio> {
  const cwd = process.cwd();
  const saved = { API_PORT: process.env.API_PORT, PUBLIC_TDM_API_URL: process.env.PUBLIC_TDM_API_URL };
  // vite.config.ts reads API_PORT when it loads; SvelteKit resolves src/ from the cwd.
  process.env.API_PORT = String(apiPort);
  delete process.env.PUBLIC_TDM_API_URL;
  process.chdir(studioDir);
  const restore = () => {
    process.chdir(cwd);
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  let vite: ViteDevServer;
  try {
    const { createServer } = await import('vite');
    vite = await createServer({
      configFile: `${studioDir}/vite.config.ts`,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, strictPort: false, watch: null },
    });
    await vite.listen();
  } catch (err) {
    restore();
    throw err;
  }
  return {
    base: `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`,
    async close() {
      await vite.close();
      restore();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
