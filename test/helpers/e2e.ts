// End-to-end harness: the real server in a child process, driven by Debian's Chromium through
// playwright-core. One harness per test file; everything is torn down in t.teardown.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Test } from 'tap'
import { projectRoot } from '../../server/config.js'
import { ADMIN } from './build.js'

export { ADMIN }

/** Debian's Chromium (package `chromium`; `npm test` installs it, scripts/prepare-tests.mjs). Never downloaded by a tool. */
// An empty TEST_CHROMIUM counts as unset, as in scripts/prepare-tests.mjs.
export const CHROMIUM = process.env.TEST_CHROMIUM || '/usr/bin/chromium'

/** Flags for a root, offline, headless machine (see the environment notes). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=fr-FR']
/** A French browser (chromium-l10n, which `npm test` installs with Chromium, translates its own chrome). */
const CHROMIUM_ENV = { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' }

/** Bounded waits: generous for a loaded 2-core CI machine, short enough to fail within tap's 120 s. */
export const TIMEOUT = { start: 30_000, stop: 10_000, action: 10_000, navigation: 15_000 }

const ROOT = projectRoot()
const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots')
const RUNNING = /Créneaux is running on (http:\/\/\S+)/

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Viewport { width: number, height: number }
export const DESKTOP: Viewport = { width: 1366, height: 768 }
export const PHONE: Viewport = { width: 375, height: 812 }

/** An account to create through the API (the body of POST /api/users). */
export interface UserSpec {
  email: string
  name: string
  password: string
  role: 'admin' | 'practitioner' | 'regulator' | 'board'
  cptsId?: string
  practitioner?: { rpps: string, profession: 'gp' | 'psychiatrist', address: string, postalCode: string, commune: string, phone: string }
}

/** The API over real HTTP, with the session cookie of whoever signed in. */
export interface E2eApi {
  /** Signs in through POST /api/session; returns the `cookie` header value (`sid=…`). */
  signIn: (email: string, password: string) => Promise<string>
  /** Any request; throws with the answer's body unless the status is `expect` (default: any 2xx). */
  request: <T = any>(method: string, path: string, opts?: { cookie?: string, body?: unknown, expect?: number }) => Promise<T>
  /** Created as the bootstrap admin. */
  createCpts: (name: string, timezone?: string) => Promise<{ id: string, name: string, timezone: string }>
  /** Created as the bootstrap admin; returns the user as the API answers it. */
  createUser: (spec: UserSpec) => Promise<{ id: string, email: string, role: string, cptsId: string | null }>
}

/** Settings of the server for one file, over the harness's own (e.g. HOLD_SECONDS, HOLD_SWEEP_MS). */
export interface E2eOptions {
  env?: Record<string, string>
  /** Runs once on the new, empty DATA_DIR before the server first starts (e.g. to put the demo in it). */
  beforeStart?: (dataDir: string) => Promise<void> | void
}

export interface RestartOptions {
  /** Settings for this start and the later ones, over the harness's own (replaces earlier ones). */
  env?: Record<string, string>
  /** Runs while the server is down (e.g. to see the pages notice); the server starts again even if it throws. */
  whileStopped?: () => Promise<void>
}

export interface E2e {
  /** `http://127.0.0.1:<port>`, the same across restarts. */
  readonly baseUrl: string
  readonly dataDir: string
  readonly browser: Browser
  readonly api: E2eApi
  /** Stops the server (SIGTERM to its process group, SIGKILL after TIMEOUT.stop). */
  stop: () => Promise<void>
  /** Stops, then starts again on the same DATA_DIR and port; sessions survive (they are in SQLite). */
  restart: (opts?: RestartOptions) => Promise<void>
  /** A page in a fresh browser context (own cookies), French locale, Paris time. */
  newPage: (viewport?: Viewport) => Promise<Page>
  /** Puts the session of `email` in the page's context, as if it had signed in on /connexion. */
  signInPage: (page: Page, email: string, password: string) => Promise<void>
  /** Uncaught errors and console errors (CSP refusals included) seen by the page so far. */
  pageErrors: (page: Page) => string[]
  /** Writes artifacts/screenshots/<name>-<width>x<height>.png (full page); returns its path. */
  screenshot: (page: Page, name: string) => Promise<string>
  /** Output of the server so far (stdout and stderr), for failure messages. */
  serverOutput: () => string
}

/** The environment of the server: ours, without tap's loaders and coverage hooks. */
function serverEnv (dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    // DATABASE_URL too: the browser tests' server keeps its data in its temporary DATA_DIR (SQLite).
    if (k === 'NODE_OPTIONS' || k === 'NODE_V8_COVERAGE' || k === 'DATABASE_URL' || k.startsWith('TAP') || k.startsWith('_TAPJS')) continue
    env[k] = v
  }
  return {
    ...env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT: '1000',
    LOGIN_ADDRESS_RATE_LIMIT: '1000',
    // tap's process tracking adds its hooks to every child it sees spawned: this one runs the
    // server through tsx, whose transpiled lines differ from those of tap's own loader, and the
    // two merged make nonsense of the coverage report (a whole file counted as one statement).
    _TAPJS_PROCESSINFO_COVERAGE_: '0',
    ...extra
  }
}

/**
 * Loaded before server/main.ts in the child: when the test process goes away without its
 * teardown (killed by a timeout), the stdin pipe closes and the server stops itself.
 */
const ORPHAN_GUARD = 'data:text/javascript,' + encodeURIComponent(
  "process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM'));process.stdin.on('error',()=>{});process.stdin.resume();"
)

function killGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try { process.kill(-child.pid, signal) } catch { /* already gone */ }
}

/** The pages are served from dist/web: `npm test` builds them; a lone `npx tap` builds them once if missing. */
function ensureWebBuilt (): void {
  if (existsSync(join(ROOT, 'dist', 'web', 'connexion.js'))) return
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm run build:web failed:\n${r.stdout}\n${r.stderr}`)
}

/**
 * Starts the real server (`node --import tsx server/main.ts`) on a temporary DATA_DIR and a
 * free port, with the admin of `ADMIN` (and `opts.env` over the harness's settings), and
 * launches Chromium. Torn down in `t.teardown`.
 */
export async function startE2e (t: Teardown, opts: E2eOptions = {}): Promise<E2e> {
  if (!existsSync(CHROMIUM)) {
    // Never skip: `npm test` installs chromium first, or stops with this command (scripts/prepare-tests.mjs).
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium chromium-l10n (the browser tests need it)`)
  }
  ensureWebBuilt()
  const dataDir = mkdtempSync(join(tmpdir(), 'creneaux-e2e-'))
  let child: ChildProcess | null = null
  let output = ''
  let port = 0
  let baseUrl = ''
  let browser: Browser | null = null
  let extraEnv: Record<string, string> = opts.env ?? {}
  const errorsByPage = new WeakMap<Page, string[]>()

  const onExit = (): void => { if (child !== null) killGroup(child, 'SIGKILL') }
  process.on('exit', onExit)
  t.teardown(async () => {
    await browser?.close().catch(() => {})
    await stop()
    process.off('exit', onExit)
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function start (): Promise<void> {
    output = ''
    const proc = spawn(process.execPath, ['--import', 'tsx', '--import', ORPHAN_GUARD, join(ROOT, 'server', 'main.ts')], {
      cwd: ROOT,
      env: serverEnv(dataDir, port, extraEnv),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that stop() ends it and anything it started.
      detached: true
    })
    child = proc
    proc.stdout.setEncoding('utf8')
    proc.stderr.setEncoding('utf8')
    proc.stderr.on('data', (d: string) => { output += d })
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`server did not start within ${TIMEOUT.start} ms`)), TIMEOUT.start)
      function fail (err: Error): void {
        clearTimeout(timer)
        killGroup(proc, 'SIGKILL')
        reject(new Error(`${err.message}\n--- server output ---\n${output}`))
      }
      proc.stdout.on('data', (d: string) => {
        output += d
        const m = RUNNING.exec(output)
        if (m?.[1] !== undefined) { clearTimeout(timer); resolve(m[1]) }
      })
      proc.once('exit', (code, signal) => fail(new Error(`server exited during start (code ${code}, signal ${signal})`)))
      proc.once('error', fail)
    })
    baseUrl = url
    port = Number(new URL(url).port)
    // Listening is printed after listen(); still, wait until a page really answers.
    const until = Date.now() + TIMEOUT.start
    for (;;) {
      try {
        const res = await fetch(baseUrl + '/connexion')
        if (res.ok) return
      } catch { /* not yet */ }
      if (Date.now() > until) throw new Error(`server at ${baseUrl} never answered /connexion\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async function stop (): Promise<void> {
    const proc = child
    if (proc === null) return
    child = null
    if (proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    killGroup(proc, 'SIGTERM')
    const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), TIMEOUT.stop)
    await exited
    clearTimeout(timer)
    // The group may hold nothing else, but make sure of it.
    killGroup(proc, 'SIGKILL')
  }

  await opts.beforeStart?.(dataDir)
  await start()
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: CHROMIUM_ENV, headless: true, timeout: TIMEOUT.start })

  async function request<T = any> (method: string, path: string, opts: { cookie?: string, body?: unknown, expect?: number } = {}): Promise<T> {
    const headers: Record<string, string> = {}
    if (opts.cookie !== undefined) headers.cookie = opts.cookie
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT.action)
    })
    const text = await res.text()
    const ok = opts.expect === undefined ? res.ok : res.status === opts.expect
    if (!ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  async function signIn (email: string, password: string): Promise<string> {
    const res = await fetch(baseUrl + '/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(TIMEOUT.action)
    })
    if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${await res.text()}`)
    const sid = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('sid='))
    if (sid === undefined) throw new Error(`sign-in of ${email}: no sid cookie`)
    return sid
  }

  let adminCookie: string | null = null
  async function asAdmin (): Promise<string> {
    adminCookie ??= await signIn(ADMIN.email, ADMIN.password)
    return adminCookie
  }

  const api: E2eApi = {
    signIn,
    request,
    createCpts: async (name, timezone = 'Europe/Paris') =>
      await request('POST', '/api/cpts', { cookie: await asAdmin(), body: { name, timezone }, expect: 201 }),
    createUser: async (spec) =>
      (await request<{ user: any }>('POST', '/api/users', { cookie: await asAdmin(), body: spec, expect: 201 })).user
  }

  async function newContext (viewport: Viewport): Promise<BrowserContext> {
    if (browser === null) throw new Error('browser closed')
    const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', baseURL: baseUrl })
    context.setDefaultTimeout(TIMEOUT.action)
    context.setDefaultNavigationTimeout(TIMEOUT.navigation)
    return context
  }

  return {
    get baseUrl () { return baseUrl },
    dataDir,
    get browser () {
      if (browser === null) throw new Error('browser closed')
      return browser
    },
    api,
    stop,
    restart: async (ropts = {}) => {
      await stop()
      if (ropts.env !== undefined) extraEnv = ropts.env
      try {
        await ropts.whileStopped?.()
      } finally {
        await start()
      }
    },
    newPage: async (viewport = DESKTOP) => {
      const page = await (await newContext(viewport)).newPage()
      const errors: string[] = []
      errorsByPage.set(page, errors)
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`) })
      return page
    },
    signInPage: async (page, email, password) => {
      const sid = (await signIn(email, password)).slice('sid='.length)
      await page.context().addCookies([{ name: 'sid', value: sid, url: baseUrl, httpOnly: true, sameSite: 'Lax' }])
    },
    pageErrors: (page) => errorsByPage.get(page) ?? [],
    screenshot: async (page, name) => {
      const size = page.viewportSize() ?? DESKTOP
      mkdirSync(SCREENSHOTS, { recursive: true })
      const path = join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`)
      await page.screenshot({ path, fullPage: true, animations: 'disabled' })
      return path
    },
    serverOutput: () => output
  }
}

/** The source of axe-core, evaluated in the page (a <script> tag would be refused by the CSP). */
export const AXE_SOURCE = (): string => readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

export interface AxeViolation { id: string, impact: string | null, help: string, nodes: Array<{ target: unknown[], failureSummary?: string }> }

/** Runs axe-core on the page as it is now; returns the violations of impact serious or critical. */
export async function seriousA11yViolations (page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe')
  if (loaded !== 'object') await page.evaluate(AXE_SOURCE())
  const violations = await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)') as AxeViolation[]
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** One line per node: rule, impact, help, CSS target and why, for a readable failure. */
export function describeViolations (violations: AxeViolation[]): string {
  return violations.flatMap((v) => v.nodes.map((n) =>
    `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(n.target)}${n.failureSummary !== undefined ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''}`
  )).join('\n')
}

/** The calendar date `days` after today in `zone`, 'YYYY-MM-DD' (what the pages call today). */
export function localDate (days = 0, zone = 'Europe/Paris'): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
  const d = new Date(today + 'T12:00:00Z')
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** ISO weekday of a local date: 1 Monday … 7 Sunday. */
export function isoWeekday (date: string): number {
  return new Date(date + 'T12:00:00Z').getUTCDay() || 7
}

/** 'mardi 14 juillet' ('mercredi 1er juillet'; the year when it is not this one), as the pages write a day. */
export function frenchDay (date: string): string {
  const withYear = date.slice(0, 4) !== String(new Date().getFullYear())
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', ...(withYear ? { year: 'numeric' } : {}) })
    .formatToParts(new Date(date + 'T12:00:00Z')).map((p) => p.type === 'day' && p.value === '1' ? '1er' : p.value).join('')
}

/**
 * Steps of a browser scenario, each a subtest that builds on the one before: after a failure,
 * the next steps fail at once with its name instead of each waiting out its own timeouts.
 */
export function scenario (t: Test): (name: string, fn: (t: Test) => Promise<void>) => void {
  let failed: string | null = null
  return (name, fn) => {
    void t.test(name, async (t) => {
      if (failed !== null) return void t.fail(`not run: the step "${failed}" failed`)
      try {
        await fn(t)
      } catch (err) {
        failed = name
        throw err
      } finally {
        if (!t.passing()) failed ??= name
      }
    })
  }
}
