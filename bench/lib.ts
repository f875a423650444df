// Helpers shared by the live benchmark and its two child servers (Créneaux, bare ws).
import { fork, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverRuntime } from '../scripts/server-runtime.mjs'

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
export const ROOT = join(BENCH_DIR, '..')

/** process.memoryUsage() of a child, before and after a forced GC, plus its peak RSS. */
export interface MemoryReport {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /** heapUsed right after global.gc() (the child runs with --expose-gc). */
  heapUsedAfterGc: number
  rssAfterGc: number
  /** Peak resident set size of the child since it started (getrusage). */
  maxRss: number
  sockets: number
}

/** Password of the benchmark's practitioners and regulators (e-mails gp0@bench.test…). */
export const BENCH_PASSWORD = 'bench-password-123'

/** One account's credentials for the upgrade request of `/api/live`. */
export type Credential = { cookie: string } | { token: string }

/** Messages a child sends to the parent over IPC. */
export type ChildMessage =
  /** The server is listening (port 0 after the setup step, which does not listen). */
  | { type: 'ready', port: number }
  | { type: 'setup', regulators: Credential[], listeners: Credential[], slotIds: string[], setupMs: number }
  | { type: 'memory', report: MemoryReport }
  | { type: 'cpu', usage: NodeJS.CpuUsage }
  /** Créneaux: each event's time from its commit heard by the hub to its write (ms), since the last ask. */
  | { type: 'lag', lags: number[] }
  | { type: 'error', message: string }

/** Frames of the real server, captured by the parent, that the bare ws server imitates. */
export interface Templates {
  /** result of a `hold` reply: `{slot, expiresAt}` (slot as the holder sees it). */
  holdResult: any
  /** result of a `book` reply: the Booking. */
  bookResult: any
  /** slot of a `slot.held` event as other sockets see it. */
  heldSlot: any
  /** slot of a `slot.booked` event. */
  bookedSlot: any
}

/** Messages the parent sends to a child. */
export type ParentMessage =
  | { type: 'memory' }
  | { type: 'cpu' }
  /** With BENCH_CPU_PROFILE=file: start, or stop and write, a CPU profile of the Créneaux server. */
  | { type: 'profile', on: boolean }
  /**
   * With BENCH_HEAP_PROFILE=file: start, or stop and write, a sampling heap profile of the Créneaux
   * server that counts the objects collected meanwhile too (where the allocations of a burst come from).
   */
  | { type: 'heapProfile', on: boolean }
  /** With BENCH_HEAP_SNAPSHOT=file: write a heap snapshot of the Créneaux server (what each socket keeps). */
  | { type: 'heapSnapshot' }
  | { type: 'templates', templates: Templates }
  | { type: 'lag' }
  | { type: 'stop' }

/**
 * Where the children are bundled (ignored by git with node_modules): one folder per checkout, so
 * that benches of two worktrees sharing one node_modules do not overwrite each other's bundle.
 */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', `creneaux-bench-live-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`)

/**
 * Bundles the children (server and bare ws) with esbuild into plain JavaScript, so that they
 * run on `node` alone, as `npm start` runs the compiled server: the tsx loader would add its
 * own thread and some 35 MB to the memory being measured. Packages stay in node_modules.
 */
export async function bundleChildren (): Promise<void> {
  const { build } = await import('esbuild')
  await build({
    entryPoints: [join(BENCH_DIR, 'server-child.ts'), join(BENCH_DIR, 'raw-child.ts')],
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning'
  })
}

/**
 * Starts a bundled child with --expose-gc and an IPC channel, run as `npm start` runs the server
 * (scripts/server-runtime.mjs: V8 flags, malloc settings), the bare ws server alike, unless
 * BENCH_PLAIN_NODE=1 (plain node, to measure what those settings buy).
 */
export function forkChild (name: 'server-child' | 'raw-child', env: Record<string, string> = {}): ChildProcess {
  const runtime = process.env.BENCH_PLAIN_NODE === '1' ? { execArgv: [], env: process.env } : serverRuntime(process.env)
  return fork(join(OUT_DIR, `${name}.mjs`), [], {
    cwd: ROOT,
    // BENCH_NODE_FLAGS: more V8/Node flags for the children, after ours (the last one wins).
    execArgv: ['--expose-gc', ...runtime.execArgv, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')],
    env: { ...runtime.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
}

/** Waits for the first IPC message of `type` from the child (rejects on exit, error or timeout). */
export function nextMessage<T extends ChildMessage['type']> (child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (m: ChildMessage): void => {
      if (m.type === 'error') { cleanup(); reject(new Error('child: ' + m.message)); return }
      if (m.type === type) { cleanup(); resolve(m as Extract<ChildMessage, { type: T }>) }
    }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`child exited (${code ?? 'signal'}) before "${type}"`)) }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no "${type}" from child within ${timeoutMs} ms`)) }, timeoutMs)
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Memory of this (child) process, answered to the parent. */
export function memoryReport (sockets: number): MemoryReport {
  const before = process.memoryUsage()
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const after = process.memoryUsage()
  return {
    rss: before.rss,
    heapUsed: before.heapUsed,
    heapTotal: before.heapTotal,
    external: before.external,
    arrayBuffers: before.arrayBuffers,
    heapUsedAfterGc: after.heapUsed,
    rssAfterGc: after.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    sockets
  }
}

/** Sends a message to the parent; a child without IPC has nobody to tell. */
export function toParent (m: ChildMessage): void {
  process.send?.(m)
}

// ---------------------------------------------------------------- figures

export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1] as number
}

export const median = (values: number[]): number => percentile(values, 50)

export const ms = (v: number): string => Number.isNaN(v) ? 'n/a' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(1)} ms`
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
export const perSecond = (v: number): string => Number.isNaN(v) ? 'n/a' : `${v.toFixed(0)}/s`
export const ratio = (a: number, b: number): string => Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a'

/** A fixed-width text table. */
export function table (head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export const sleep = (msDelay: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msDelay))
