#!/usr/bin/env node
// `npm start` builds before it serves. TypeScript's incremental build (dist/.tsbuildinfo) recompiles
// only the files that changed, but loading the compiler alone costs seconds on a small machine: when no
// source or build setting is newer than the last build, this skips the compiler altogether.
'use strict';
const { readdirSync, statSync, utimesSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const buildInfo = path.join(root, 'dist', '.tsbuildinfo');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const builtAt = statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const inputs = Math.max(
  newest(path.join(root, 'src')),
  ...['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'].map((f) => statSync(path.join(root, f)).mtimeMs),
);
if (builtAt > inputs) {
  process.stdout.write('dist is up to date with src: nothing to build\n');
  process.exit(0);
}
const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// tsc leaves its build info alone when nothing it emits changed (a touched file): mark the check done.
if (result.status === 0) utimesSync(buildInfo, new Date(), new Date());
process.exit(result.status ?? 1);
