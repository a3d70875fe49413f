#!/usr/bin/env node
// The `healthsync` command: loads the TypeScript sources through tsx and runs src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
