// The `tdm` command: `tdm worker` runs queued jobs; `tdm token create|list|revoke` manages API tokens.
// First: V8's WebAssembly tiering budget must be set before Prisma or PGlite compiles a module.
import '../wasm-tiering.ts';
import { createApiToken, revokeApiToken } from '../auth/tokens.ts';
import { loadConfig } from '../config.ts';
import { createTdm } from '../runtime.ts';

const [command, sub, ...rest] = process.argv.slice(2);
const config = loadConfig();

async function worker(): Promise<void> {
  const log = (msg: string) => console.log(`[tdm worker ${process.pid}] ${msg}`);
  const tdm = await createTdm(config, { log });
  await tdm.jobs.startWorking({ concurrency: config.workerConcurrency });
  log(`working ${tdm.jobs.queue.kind} jobs, concurrency ${config.workerConcurrency}`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      log('stopping');
      await tdm.close();
      process.exit(0);
    });
  }
}

async function token(): Promise<void> {
  const tdm = await createTdm(config);
  try {
    if (sub === 'create') {
      const { token: value, apiToken } = await createApiToken(tdm.store.prisma, rest.join(' ') || 'cli');
      await tdm.audit({ actor: 'cli', action: 'createApiToken', targetKind: 'API_TOKEN', targetId: apiToken.id, details: { name: apiToken.name } });
      console.log(value);
      console.error(`token "${apiToken.name}" (${apiToken.id}) created; it is shown only once`);
    } else if (sub === 'list') {
      for (const t of await tdm.store.prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } })) {
        console.log(`${t.id}\t${t.prefix}…\t${t.name}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.lastUsedAt?.toISOString() ?? 'never used'}`);
      }
    } else if (sub === 'revoke' && rest[0]) {
      await revokeApiToken(tdm.store.prisma, rest[0]);
      await tdm.audit({ actor: 'cli', action: 'revokeApiToken', targetKind: 'API_TOKEN', targetId: rest[0], severity: 'WARNING' });
      console.error('revoked');
    } else {
      usage();
    }
  } finally {
    await tdm.close();
  }
}

function usage(): never {
  console.error('usage: tdm worker | tdm token create <name> | tdm token list | tdm token revoke <id>');
  process.exit(2);
}

if (command === 'worker') await worker();
else if (command === 'token') await token();
else usage();
