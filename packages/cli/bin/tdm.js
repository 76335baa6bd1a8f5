#!/usr/bin/env node
// The `tdm` command. The code is compiled to dist/ (npm install builds it; `npm run build -w @tdm/cli`).
import { main } from '../dist/main.js';

process.exit(await main(process.argv.slice(2)));
