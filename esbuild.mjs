// Bundles the client, the language server and the CLI into dist/, and puts the WASM files they
// load at run time next to them (the bundles look for them beside themselves).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = require('./package.json');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { LIVEPATCH_LENS_VERSION: JSON.stringify(version) },
  // The ESM build of web-tree-sitter reads import.meta.url, which is empty in a CommonJS bundle.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' },
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The target index builds in a worker thread; workerClient.ts looks for this bundle beside itself.
  { ...common, entryPoints: ['server/src/target/targetIndexWorker.ts'], outfile: 'dist/targetIndexWorker.js' },
  // Documents are analysed in a worker thread; analysisRunner.ts looks for this bundle beside itself.
  { ...common, entryPoints: ['server/src/features/analysis/analysisWorker.ts'], outfile: 'dist/analysisWorker.js' },
  // So is payload inspection (payloadInspection.ts).
  { ...common, entryPoints: ['server/src/features/payloadInspectionWorker.ts'], outfile: 'dist/payloadInspectionWorker.js' },
  // So does the emulator session (emulatorWorkerClient.ts).
  { ...common, entryPoints: ['server/src/features/emulator/emulatorWorker.ts'], outfile: 'dist/emulatorWorker.js' },
];

mkdirSync('dist', { recursive: true });
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-c/tree-sitter-c.wasm', 'iced-x86/iced_x86_bg.wasm']) {
  copyFileSync(require.resolve(wasm), `dist/${wasm.split('/')[1]}`);
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
}
