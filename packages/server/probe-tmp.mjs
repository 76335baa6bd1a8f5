import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8'; import { runInNewContext } from 'node:vm';
setFlagsFromString('--expose-gc'); const gc = runInNewContext('gc');
const st = () => { gc(); gc(); const s = readFileSync('/proc/self/status','utf8'); const g=(f)=>Math.round(s.match(new RegExp(f+':\\s+(\\d+)'))[1]/1024); const m=process.memoryUsage(); return `rss ${g('VmRSS')} anon ${g('RssAnon')} heap ${Math.round(m.heapTotal/2**20)} ext ${Math.round(m.external/2**20)}`; };
console.log('base', st());
const which = process.argv[2];
if (which.includes('prisma')) {
  const { openMetadataStore } = await import('@tdm/core/store/metadata');
  const s = await openMetadataStore(process.env.DATABASE_URL);
  console.log('store open', st());
  await s.prisma.connection.findMany();
  console.log('prisma query', st());
}
if (which.includes('schema')) {
  await import('./dist/schema/index.js');
  console.log('schema', st());
}
if (which.includes('app')) {
  await import('./dist/app.js');
  console.log('app', st());
}
if (which.includes('runtime')) {
  await import('@tdm/core/runtime');
  console.log('runtime', st());
}
process.exit(0);
