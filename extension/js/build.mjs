#!/usr/bin/env node
/**
 * Bundles the WebView runtime into dist/: pac_webview.js (src/webview.js with
 * TF.js and its wasm backend, minified, one file),
 * pac_webview.html and the wasm backend's .wasm files. These are the JS
 * assets of the .aix; `npm run build` makes them.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [path.join(here, 'src', 'webview.js')],
  outfile: path.join(dist, 'pac_webview.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome80',
  legalComments: 'none',
  // Node-only branches of TF.js and emscripten glue; never taken in a WebView.
  external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os', 'crypto', 'util'],
  logLevel: 'warning',
});
copyFileSync(path.join(here, 'web', 'pac_webview.html'), path.join(dist, 'pac_webview.html'));
const wasmDir = path.join(here, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
  copyFileSync(path.join(wasmDir, name), path.join(dist, name));
}
