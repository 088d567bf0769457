#!/usr/bin/env node
// The mcusim command. The TypeScript is compiled into dist/ by `npm ci` (the prepare script) or `npm run build`.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
