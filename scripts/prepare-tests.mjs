// What the tests need from the machine, made sure of before any test runs: `npm test`
// (scripts/test.mjs) and CI (.ci/run) both call it, so the two cannot drift.
//
// - Debian's Chromium at /usr/bin/chromium (the browser tests, test/e2e-*): when it is missing and
//   this user may install packages (root, with apt-get), `apt-get install chromium chromium-l10n`
//   with a line saying so; otherwise stop at once with the command to run.
// - PostgreSQL (the second pass of the storage tests): optional unless CI=true or
//   TEST_POSTGRES=required; a local cluster installed but stopped is started (pg_ctlcluster).
//
// The decisions are pure functions (decideChromium, decidePostgres), tested with the machine's
// facts injected (test/prepare-tests.test.ts); `prepare()` gathers the facts and acts.
//
//   TEST_CHROMIUM  the browser's path (default /usr/bin/chromium; test/helpers/e2e.ts uses the same)
//   TEST_INSTALL   auto (default): install when root with apt-get; never: only say what to run
//
// Run alone: `node scripts/prepare-tests.mjs` (everything; exit 1 with the command when it cannot).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const DEFAULT_CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_PACKAGES = ['chromium', 'chromium-l10n']

/** The command a user without the right to install runs (sudo unless already root). */
export function installCommand (packages, uid) {
  return `${uid === 0 ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`
}

/**
 * What to do about the browser. Facts: `present` (the executable exists at `path`), `uid`, `apt` (apt-get on the PATH), `install` ('auto' | 'never').
 * Returns `{action: 'present' | 'install' | 'stop', packages, message}`; only 'stop' fails the run.
 */
export function decideChromium ({ path, present, uid, apt, install }) {
  const mayInstall = install !== 'never' && uid === 0 && apt
  // chromium-l10n (the browser's own French) comes with it; the pages no longer need it (their
  // date fields are French whatever the browser's language packs), so it is never installed alone.
  if (present) return { action: 'present', packages: [], message: null }
  if (mayInstall) {
    return { action: 'install', packages: CHROMIUM_PACKAGES, message: `${path} is missing: installing Debian's Chromium (apt-get install -y ${CHROMIUM_PACKAGES.join(' ')})` }
  }
  const why = install === 'never' ? 'TEST_INSTALL=never' : !apt ? 'no apt-get on this machine' : 'installing needs root'
  const command = apt || install === 'never' ? installCommand(CHROMIUM_PACKAGES, uid) : 'install Chromium so that it runs as ' + path
  return {
    action: 'stop',
    packages: CHROMIUM_PACKAGES,
    message: `${path} is missing and the browser tests (test/e2e-*) need it; not installed (${why}). Run:\n  ${command}\n` +
      'then npm test again (or run the other files alone: npx tap test/<file>.test.ts)'
  }
}

/**
 * What to do about PostgreSQL. Facts: `mode` ('auto' | 'required' | 'off'), `answers` (the test
 * database answers), `local` (its URL names this machine), `clusters` (versions under
 * /etc/postgresql), `pgCtl` (pg_ctlcluster on the PATH), `uid`.
 * Returns `{action: 'ready' | 'skip' | 'start' | 'stop' | 'absent', version?, message}`; 'stop'
 * fails the run (required and nothing to start), 'absent' lets scripts/test.mjs say so.
 */
export function decidePostgres ({ mode, answers, local, clusters, pgCtl, uid }) {
  if (mode === 'off') return { action: 'skip', message: null }
  if (answers) return { action: 'ready', message: null }
  const version = clusters.length > 0 ? [...clusters].sort((a, b) => Number(b) - Number(a))[0] : null
  if (local && version !== null && pgCtl) {
    const command = `pg_ctlcluster --skip-systemctl-redirect ${version} main start`
    if (uid === 0) return { action: 'start', version, command, message: `PostgreSQL ${version} is installed but stopped: starting it (${command})` }
    const message = `PostgreSQL ${version} is installed but stopped; start it with: sudo ${command}`
    return mode === 'required' ? { action: 'stop', message } : { action: 'absent', message }
  }
  const message = 'PostgreSQL does not answer and there is no local cluster to start'
  return mode === 'required' ? { action: 'stop', message: `${message} (required: CI=true or TEST_POSTGRES=required)` } : { action: 'absent', message: null }
}

function onPath (cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

function aptInstall (packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update', '-qq'], { env, encoding: 'utf8' })
  const r = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, encoding: 'utf8' }) : update
  return r.status === 0 ? null : (r.stdout + r.stderr).split('\n').slice(-30).join('\n')
}

/** The test database the PostgreSQL pass uses unless TEST_DATABASE_URL names another. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** Why the PostgreSQL database at `url` does not answer `select 1` (within 5 s), or null when it does. */
export async function postgresProblem (url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await client.query('select 1')
    return null
  } catch (err) {
    return err instanceof Error ? (err.message || err.name) : String(err)
  } finally {
    await client.end().catch(() => {})
  }
}

const postgresAnswers = async (url) => await postgresProblem(url) === null

/** The mode of the PostgreSQL pass, as scripts/test.mjs reads it (CI=true makes it required). */
export function postgresMode (env) {
  const ci = env.CI === 'true' || env.CI === '1'
  return ci ? 'required' : (env.TEST_POSTGRES ?? 'auto')
}

/**
 * Makes sure of what the tests need. `browser`: some browser test will run; `postgres`: the
 * PostgreSQL pass may run. Prints a line per action; returns the list of problems that must stop
 * the run (empty when it may go on).
 */
export async function prepare ({ browser = true, postgres = true, env = process.env, log = console.log } = {}) {
  const problems = []
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1
  const install = env.TEST_INSTALL === 'never' ? 'never' : 'auto'
  if (browser) {
    const path = env.TEST_CHROMIUM || DEFAULT_CHROMIUM
    const d = decideChromium({ path, present: existsSync(path), uid, apt: onPath('apt-get'), install })
    if (d.action === 'install') {
      log(`# prepare: ${d.message}`)
      const failure = aptInstall(d.packages)
      if (failure !== null || !existsSync(path)) problems.push(`apt-get install ${d.packages.join(' ')} failed:\n${failure ?? ''}`)
    } else if (d.action === 'stop') {
      problems.push(d.message)
    }
  }
  if (postgres) {
    const url = env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL
    let host = ''
    try { host = new URL(url).hostname } catch { /* left to the test run */ }
    const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').filter((v) => /^\d+(\.\d+)?$/.test(v)) : []
    const facts = { mode: postgresMode(env), local: ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host), clusters, pgCtl: onPath('pg_ctlcluster'), uid }
    const d = decidePostgres({ ...facts, answers: facts.mode === 'off' ? false : await postgresAnswers(url) })
    if (d.action === 'start') {
      log(`# prepare: ${d.message}`)
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', d.version, 'main', 'start'], { stdio: 'inherit' })
      let up = false
      for (let i = 0; i < 30 && !up; i++) {
        up = await postgresAnswers(url)
        if (!up) await new Promise((resolve) => setTimeout(resolve, 1000))
      }
      if (!up) log('# prepare: warning: PostgreSQL still does not answer (the test run says what follows)')
    } else if (d.action === 'stop') {
      problems.push(d.message)
    } else if (d.message !== null) {
      log(`# prepare: ${d.message}`)
    }
  }
  return problems
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = await prepare()
  for (const p of problems) console.error(`# prepare: ${p}`)
  process.exitCode = problems.length === 0 ? 0 : 1
}
