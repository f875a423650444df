// How the server process is run: by `npm start` (scripts/start.mjs) and by the benches' children
// (bench/lib.ts), so that what is measured is what runs. Plain JavaScript: start.mjs runs it before
// any build.
//
// Memory (issue 23, docs/performance.md "Runtime settings"): V8's young generation may grow to
// 16 MiB per semi-space by default, and glibc keeps what a burst freed (its mmap threshold rises
// after each large free, so later large buffers come from arenas it rarely returns). With a
// 4 MiB semi-space and a fixed mmap threshold, the server with 550 live sockets holds ~120 MB
// instead of ~150 MB, for a CPU cost within the benches' noise.

/** Node/V8 flags of the server process. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4']

/** glibc malloc settings (environment variables read at the process's start). */
export const SERVER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }

/**
 * The flags and environment to start the server with: ours, unless the environment already says
 * otherwise (a semi-space size in NODE_OPTIONS, a MALLOC_ variable set): the operator's choice wins.
 */
export function serverRuntime (env = process.env) {
  const execArgv = (env.NODE_OPTIONS ?? '').includes('--max-semi-space-size') ? [] : [...SERVER_NODE_FLAGS]
  const malloc = Object.fromEntries(Object.entries(SERVER_MALLOC_ENV).filter(([k]) => env[k] === undefined))
  return { execArgv, env: { ...env, ...malloc } }
}
