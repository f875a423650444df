// The real server (`node --import tsx server/main.ts`) in a child process of its own, for tests
// that need a process to die for real (kill -9). Torn down in t.teardown.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { projectRoot } from '../../server/config.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string
  pid: number
  /** What the server printed so far (stdout and stderr). */
  output: () => string
  /** `kill -9`: no shutdown of any kind; resolves once the process is gone. */
  kill9: () => Promise<void>
  /** SIGTERM (the drain); resolves with the exit code once the process is gone. */
  terminate: () => Promise<number | null>
}

const ROOT = projectRoot()
const RUNNING = /Créneaux is running on (http:\/\/\S+)/
const START_TIMEOUT_MS = 60_000

/** The child stops itself when this test process goes away without its teardown (stdin closes). */
const ORPHAN_GUARD = 'data:text/javascript,' + encodeURIComponent(
  "process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM'));process.stdin.on('error',()=>{});process.stdin.resume();"
)

function gone (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Starts the server with `env` (over this process's environment, DATABASE_URL removed) and waits until it listens. */
export async function startServerProcess (t: Teardown, env: Record<string, string>): Promise<ServerProcess> {
  const base = { ...process.env }
  delete base.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', ORPHAN_GUARD, join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    // Kept out of tap's coverage, like the browser tests' servers (test/helpers/e2e.ts): tsx's
    // transpiled lines merged with those of tap's loader make nonsense of the report.
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', _TAPJS_PROCESSINFO_COVERAGE_: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let output = ''
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.kill('SIGTERM')
    await gone(child)
    clearTimeout(timer)
  })
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => { output += d })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
    function fail (err: Error): void {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${err.message}\n--- server output ---\n${output}`))
    }
    child.stdout.on('data', (d: string) => {
      output += d
      const m = RUNNING.exec(output)
      if (m?.[1] !== undefined) { clearTimeout(timer); child.off('exit', onExit); resolve(m[1]) }
    })
    const onExit = (code: number | null, signal: string | null): void => { fail(new Error(`server exited during start (code ${code}, signal ${signal})`)) }
    child.once('exit', onExit)
    child.once('error', fail)
  })
  return {
    url,
    pid: child.pid as number,
    output: () => output,
    kill9: async () => {
      child.kill('SIGKILL')
      await gone(child)
    },
    terminate: async () => {
      child.kill('SIGTERM')
      await gone(child)
      return child.exitCode
    }
  }
}

/**
 * A request to a server process over real HTTP (20 s at most): its status, its JSON, and the
 * session cookie it set (`sid=…`), if any.
 */
export async function http (base: string, method: string, path: string, cookie: string | null, body?: unknown): Promise<{ status: number, json: any, cookie: string | null }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(cookie === null ? {} : { cookie }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000)
  })
  const text = await res.text()
  const sid = res.headers.getSetCookie().map((c) => /^sid=([^;]+)/.exec(c)?.[1]).find((v) => v !== undefined)
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text), cookie: sid === undefined ? null : `sid=${sid}` }
}

/** `http`, throwing on any answer of 300 or more. */
export async function must (base: string, method: string, path: string, cookie: string | null, body?: unknown): Promise<any> {
  const res = await http(base, method, path, cookie, body)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`)
  return res
}
