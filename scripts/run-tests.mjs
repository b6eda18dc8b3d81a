#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's built-in runner (through tsx), passing extra
// arguments on: `npm test -- --test-name-pattern=nag`. Node 20's --test takes no globs, hence this.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const files = args.some((arg) => arg.endsWith('.ts')) ? [] : findTests('test').sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...args, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
