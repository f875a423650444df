// `npm test`: tap on SQLite (every test file but the PostgreSQL-only ones), then tap again on
// PostgreSQL (the files that touch the database, and the PostgreSQL-only ones) when it answers, and one summary of both at the end, in tap's own words:
// `# { total: N, pass: N, fail: N }` (the last such line is what .ci/run reads).
//
//   TEST_DATABASE_URL  the PostgreSQL database in which each test makes a schema of its own
//                      (default postgres://postgres@127.0.0.1:5432/test)
//   TEST_POSTGRES      auto (default): PostgreSQL pass when it answers, a clear notice otherwise;
//                      required: an unreachable PostgreSQL fails the run (always so with CI=true);
//                      off: SQLite only (not honoured with CI=true)
//   TEST_POSTGRES_PENDING=run  also runs on PostgreSQL the files of PENDING_ON_POSTGRES below
//
// Before the first test it makes sure of the machine (scripts/prepare-tests.mjs): Chromium for the
// browser tests (installed when root with apt-get, else the command and exit 1), a stopped local
// PostgreSQL started.
//
// Arguments are test files (default: all of them; a file named here runs on PostgreSQL even when
// pending; coverage below .taprc's thresholds does not fail such a partial run); tap's own
// options go after `--`.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_TEST_DATABASE_URL, postgresProblem, prepare } from './prepare-tests.mjs'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..')
const TAP = join(ROOT, 'node_modules', '.bin', 'tap')
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL

/**
 * Files that never open a database run on SQLite only: the browser tests (a real server per
 * file, driven by Chromium, whose storage the other files cover already) and pure functions.
 */
const SQLITE_ONLY = [/^test\/e2e-[^/]*\.test\.ts$/, /^test\/commune-search\.test\.ts$/, /^test\/rpps-communes\.test\.ts$/, /^test\/slot-times\.test\.ts$/, /^test\/prepare-tests\.test\.ts$/]

/**
 * Files that need PostgreSQL itself (several server instances on one database, hearing each
 * other through LISTEN/NOTIFY): they run in the PostgreSQL pass only, never on SQLite, where
 * they would have nothing to test.
 */
const POSTGRES_ONLY = [/^test\/multi-instance[^/]*\.test\.ts$/]

/**
 * Files that still fail on PostgreSQL because of code in server/features/ not ported yet (see
 * CONTRIBUTING.md, "Tests on both engines"). They run on SQLite; on PostgreSQL only with
 * TEST_POSTGRES_PENDING=run or when named. Every run prints them: take a file out of this list
 * in the change that makes it pass.
 */
const PENDING_ON_POSTGRES = {
  // 'test/example.test.ts': 'why it still fails on PostgreSQL'
}

const ci = process.env.CI === 'true' || process.env.CI === '1'
const wanted = process.env.TEST_POSTGRES ?? 'auto'
if (!['auto', 'required', 'off'].includes(wanted)) {
  console.error(`TEST_POSTGRES must be auto, required or off, not ${wanted}`)
  process.exit(2)
}
const mode = ci ? 'required' : wanted

const dashdash = process.argv.indexOf('--')
const args = dashdash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashdash)
const tapOptions = dashdash === -1 ? [] : process.argv.slice(dashdash + 1)
const allFiles = readdirSync(join(ROOT, 'test'), { recursive: true })
  .map((f) => 'test/' + String(f).split('\\').join('/'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
const files = args.length > 0 ? args.map((f) => relative(ROOT, join(process.cwd(), f)).split('\\').join('/')) : allFiles
const runPending = process.env.TEST_POSTGRES_PENDING === 'run'
const postgresOnly = (f) => POSTGRES_ONLY.some((re) => re.test(f))
const sqliteFiles = files.filter((f) => !postgresOnly(f))
const storageFiles = files.filter((f) => !SQLITE_ONLY.some((re) => re.test(f)))
const pending = args.length > 0 || runPending ? [] : storageFiles.filter((f) => f in PENDING_ON_POSTGRES)
const postgresFiles = storageFiles.filter((f) => !pending.includes(f))

// Before any test: the browser the browser tests need (installed when allowed, else the command
// to run, and nothing runs), PostgreSQL started when installed but stopped (scripts/prepare-tests.mjs).
const problems = await prepare({
  browser: sqliteFiles.some((f) => /^test\/e2e-/.test(f)),
  postgres: mode !== 'off' && postgresFiles.length > 0
})
if (problems.length > 0) {
  for (const p of problems) console.error(`# prepare: ${p}`)
  process.exit(1)
}

/**
 * Echoes a pass's lines but its coverage verdict: one pass alone covers less than both, and the
 * thresholds are checked over both at the end (checkCoverage).
 */
function echo (lines) {
  const kept = lines.filter((l) => !/ERROR: incomplete \w+ coverage/.test(l))
  if (kept.length > 0 && !(kept.length === 1 && kept[0] === '')) process.stdout.write(kept.join('\n') + '\n')
}

/** Runs tap on `list` with `env`; echoes its output and returns its summary counts. */
function runTap (label, list, env, extraArgs) {
  return new Promise((resolve) => {
    console.log(`\n# ===== ${label}: ${list.length} file${list.length === 1 ? '' : 's'} =====`)
    const child = spawn(TAP, [...extraArgs, ...tapOptions, ...list], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
    let last = null
    let tail = ''
    child.stdout.on('data', (chunk) => {
      const lines = (tail + chunk.toString('utf8')).split('\n')
      tail = lines.pop() ?? ''
      echo(lines)
      for (const line of lines) if (/^# \{ total: \d+/.test(line)) last = line
    })
    child.on('close', (code, signal) => {
      echo([tail])
      if (/^# \{ total: \d+/.test(tail)) last = tail
      const counts = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 }
      for (const m of (last ?? '').matchAll(/(\w+): (\d+)/g)) if (m[1] in counts) counts[m[1]] = Number(m[2])
      // A run that failed without saying so (crash, bail-out) still counts as a failure.
      const ok = code === 0 && last !== null
      if (!ok && counts.fail === 0) counts.fail = 1
      resolve({ label, counts, ok, exit: signal ?? code })
    })
  })
}

const env = { ...process.env }
// The tests choose their database themselves; a DATABASE_URL of the shell must not leak into them.
delete env.DATABASE_URL
// Coverage is collected in both passes (tap's per-pass summaries are printed, its verdicts not)
// and checked once, at the end, over their union
// (checkCoverage below): PostgreSQL-only code (LISTEN/NOTIFY fan-out, row locks, shared limits)
// counts as covered when the PostgreSQL pass reaches it. Each pass only collects.
const COVERAGE = join(ROOT, '.tap', 'coverage')
const SAVED_COVERAGE = join(ROOT, '.tap', 'coverage-sqlite')
rmSync(SAVED_COVERAGE, { recursive: true, force: true })
const runs = sqliteFiles.length === 0 ? [] : [await runTap('SQLite', sqliteFiles, { ...env, TEST_ENGINE: 'sqlite' }, ['--allow-incomplete-coverage'])]
// tap clears .tap/coverage when a run starts: keep the SQLite pass's beside it.
if (existsSync(COVERAGE)) renameSync(COVERAGE, SAVED_COVERAGE)
const notes = []

if (mode === 'off') {
  notes.push('# PostgreSQL: not tested (TEST_POSTGRES=off)')
} else if (postgresFiles.length === 0) {
  notes.push('# PostgreSQL: none of these files touches the database')
} else {
  const problem = await postgresProblem(DATABASE_URL)
  const where = DATABASE_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
  if (problem === null) {
    runs.push(await runTap(`PostgreSQL (${where})`, postgresFiles, { ...env, TEST_ENGINE: 'postgres', TEST_DATABASE_URL: DATABASE_URL }, ['--allow-incomplete-coverage']))
  } else if (mode === 'required') {
    notes.push(`# PostgreSQL: NOT REACHED at ${where} (${problem}); required ${ci ? 'in CI' : 'by TEST_POSTGRES=required'}: counted as a failure`)
    runs.push({ label: 'PostgreSQL', counts: { total: 1, pass: 0, fail: 1, skip: 0, todo: 0 }, ok: false, exit: 'unreachable' })
  } else {
    notes.push(`# PostgreSQL: NOT REACHED at ${where} (${problem}): its pass did not run (SQLite only).`,
      '#   Start it, or set TEST_DATABASE_URL; TEST_POSTGRES=required makes this a failure.')
  }
}

const notRun = files.filter(postgresOnly)
if (notRun.length > 0 && !runs.some((r) => r.label.startsWith('PostgreSQL'))) {
  notes.push(`# PostgreSQL only, not run: ${notRun.map((f) => f.replace(/^test\//, '')).join(', ')}`)
}

if (pending.length > 0 && mode !== 'off') {
  const byCause = new Map()
  for (const f of pending) byCause.set(PENDING_ON_POSTGRES[f], [...(byCause.get(PENDING_ON_POSTGRES[f]) ?? []), f])
  notes.push(`# PostgreSQL: ${pending.length} file${pending.length === 1 ? '' : 's'} PENDING, run on SQLite only until server/features is ported (TEST_POSTGRES_PENDING=run runs them):`,
    ...[...byCause].map(([cause, list]) => `#   ${cause}:\n#     ${list.map((f) => f.replace(/^test\//, '')).join(', ')}`))
}

/**
 * Puts the SQLite pass's coverage back beside the PostgreSQL pass's and checks .taprc's
 * thresholds once over both (`tap report`). A run of named files is not held to them (it covers
 * less than the whole suite by design): each pass's own summary is all it prints.
 */
async function checkCoverage () {
  if (existsSync(SAVED_COVERAGE)) {
    cpSync(SAVED_COVERAGE, COVERAGE, { recursive: true })
    rmSync(SAVED_COVERAGE, { recursive: true, force: true })
  }
  if (args.length > 0 || !existsSync(COVERAGE)) return null
  const code = await new Promise((resolve) => {
    console.log('\n# ===== coverage of both passes (thresholds of .taprc) =====')
    const child = spawn(TAP, ['report'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
    // `tap report` wraps its verdict in an empty TAP stream: keep the figures and the verdict.
    let out = ''
    child.stdout.on('data', (chunk) => { out += chunk.toString('utf8') })
    child.on('close', (c) => {
      const lines = out.split('\n').filter((l) => !/^(TAP version|1\.\.0|# \{ total: 0|# time=)/.test(l))
      process.stdout.write(lines.join('\n').trimEnd() + '\n')
      resolve(c)
    })
  })
  return code === 0 ? null : { label: 'Coverage', counts: { total: 1, pass: 0, fail: 1, skip: 0, todo: 0 }, ok: false, exit: code }
}
const coverage = await checkCoverage()
if (coverage !== null) runs.push(coverage)

const fmt = (c) => `{ total: ${c.total}, pass: ${c.pass}, fail: ${c.fail}${c.skip > 0 ? `, skip: ${c.skip}` : ''}${c.todo > 0 ? `, todo: ${c.todo}` : ''} }`
const sum = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 }
console.log('\n# ===== both engines =====')
for (const r of runs) {
  for (const k of Object.keys(sum)) sum[k] += r.counts[k]
  const why = r.ok ? '' : r.exit === 'unreachable' ? ' (not reached)' : ` (tap ended with ${r.exit})`
  console.log(`# ${r.label.split(' ')[0]}: ${fmt(r.counts)}${why}`)
}
for (const n of notes) console.log(n)
console.log(`# ${fmt(sum)}`)
process.exitCode = runs.every((r) => r.ok) ? 0 : 1
