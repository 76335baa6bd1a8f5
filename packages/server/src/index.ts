// First: V8's WebAssembly tiering budget must be set before Prisma or PGlite compiles a module.
import '@tdm/core/wasm-tiering';
import { loadConfig } from '@tdm/core/config';
import { bootstrap, prepareEmbeddedMetadata } from '@tdm/core/demo/bootstrap';
import { collectGarbage } from '@tdm/core/gc';
import { createTdm } from '@tdm/core/runtime';
import { createApp } from './app.ts';

const log = (msg: string) => console.log(`[tdm] ${msg}`);
const config = loadConfig();
await prepareEmbeddedMetadata(config, log);
const tdm = await createTdm(config, { log });
await bootstrap(tdm, log);
if (config.serverWorker) await tdm.jobs.startWorking({ concurrency: config.workerConcurrency });
const app = createApp(tdm);
const port = await app.start(config.apiPort);
// Start-up garbage (schema building, migrations; on a first start the embedded demo source and target it
// opened and closed) would otherwise stay until memory pressure: an idle server shows its real size.
collectGarbage();
log(`metadata store: ${config.databaseUrl.startsWith('pglite') ? config.databaseUrl : 'DATABASE_URL'}`);
log(
  `GraphQL API and GraphiQL on http://localhost:${port}/graphql (jobs: ${tdm.jobs.queue.kind}${config.serverWorker ? ', worked here' : ', worked by `npm run worker`'})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await tdm.close();
    process.exit(0);
  });
}
