import { Worker } from 'node:worker_threads'

/**
 * Starts the worker thread of `module`, a sibling file named without its extension, e.g.
 * `new URL('./report-worker', import.meta.url)`: from source (tests, `npm run dev`, benches) the
 * .ts file, run by the loader the main thread was started with (workers inherit its flags); from
 * dist/, the compiled .js. tsx's hooks do not reach a worker's entry point on Node 20: under
 * tsx, a one-line script registers them in the worker, then imports the .ts file.
 */
export function startWorker (module: URL, workerData: unknown): Worker {
  const fromSource = import.meta.url.endsWith('.ts')
  const file = new URL(`${module.href}${fromSource ? '.ts' : '.js'}`)
  // `--import tsx` (the e2e tests' servers) or tsx's own loader path (`npx tsx`).
  const underTsx = fromSource && process.execArgv.some((a) => /(^|[/\\])tsx([/\\]|$)/.test(a))
  return underTsx
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}) })`, { eval: true, workerData })
    : new Worker(file, { workerData })
}
