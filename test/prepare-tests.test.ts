// `npm test` on a fresh machine (issue 28): the preparation's decisions with the machine's facts
// injected (browser present, installable, not installable; PostgreSQL ready, stopped, absent),
// and one real run of the script pointed at a missing browser where it may not install: it
// stops at once with the command to run.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../server/config.js'
import { decideChromium, decidePostgres, postgresMode } from '../scripts/prepare-tests.mjs'

const PATH = '/usr/bin/chromium'

t.test('Chromium present: nothing to do', async (t) => {
  for (const uid of [0, 1000]) {
    const d = decideChromium({ path: PATH, present: true, uid, apt: true, install: 'auto' })
    t.equal(d.action, 'present', `uid ${uid}`)
  }
})

t.test('Chromium missing, root with apt-get: installed with a line saying so', async (t) => {
  const d = decideChromium({ path: PATH, present: false, uid: 0, apt: true, install: 'auto' })
  t.equal(d.action, 'install')
  t.same(d.packages, ['chromium', 'chromium-l10n'])
  t.match(d.message, /installing Debian's Chromium \(apt-get install -y chromium chromium-l10n\)/)
})

t.test('Chromium missing and not installable: stop with the exact command', async (t) => {
  const user = decideChromium({ path: PATH, present: false, uid: 1000, apt: true, install: 'auto' })
  t.equal(user.action, 'stop', 'not root')
  t.match(user.message, /\n {2}sudo apt-get install -y chromium chromium-l10n\n/)
  t.match(user.message, /installing needs root/)

  const never = decideChromium({ path: PATH, present: false, uid: 0, apt: true, install: 'never' })
  t.equal(never.action, 'stop', 'root, but TEST_INSTALL=never')
  t.match(never.message, /\n {2}apt-get install -y chromium chromium-l10n\n/)

  const noApt = decideChromium({ path: PATH, present: false, uid: 0, apt: false, install: 'auto' })
  t.equal(noApt.action, 'stop', 'no apt-get')
  t.match(noApt.message, /no apt-get on this machine/)
  t.match(noApt.message, /install Chromium so that it runs as \/usr\/bin\/chromium/)
})

t.test('PostgreSQL: optional unless required, a stopped local cluster started', async (t) => {
  const base = { mode: 'auto', answers: false, local: true, clusters: ['15'], pgCtl: true, uid: 0 }
  t.equal(decidePostgres({ ...base, answers: true }).action, 'ready')
  t.equal(decidePostgres({ ...base, mode: 'off' }).action, 'skip')
  const start = decidePostgres(base)
  t.equal(start.action, 'start')
  t.equal(start.command, 'pg_ctlcluster --skip-systemctl-redirect 15 main start')
  t.equal(decidePostgres({ ...base, clusters: ['13', '16', '15'] }).version, '16', 'the newest cluster')
  t.equal(decidePostgres({ ...base, uid: 1000 }).action, 'absent', 'not root, optional: the run goes on')
  t.match(decidePostgres({ ...base, uid: 1000, mode: 'required' }), { action: 'stop', message: /sudo pg_ctlcluster --skip-systemctl-redirect 15 main start/ })
  t.equal(decidePostgres({ ...base, clusters: [] }).action, 'absent', 'not installed, optional')
  t.equal(decidePostgres({ ...base, local: false }).action, 'absent', 'another machine: never started from here')
  t.equal(decidePostgres({ ...base, clusters: [], mode: 'required' }).action, 'stop', 'not installed, required')
  t.equal(postgresMode({ CI: 'true', TEST_POSTGRES: 'off' }), 'required', 'CI=true makes it mandatory')
  t.equal(postgresMode({ TEST_POSTGRES: 'required' }), 'required')
  t.equal(postgresMode({}), 'auto')
})

t.test('the script, pointed at a missing browser where it may not install, stops with the command', async (t) => {
  const root = projectRoot()
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'prepare-tests.mjs')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TEST_CHROMIUM: '/nonexistent/chromium', TEST_INSTALL: 'never', TEST_POSTGRES: 'off', CI: '' }
  })
  t.equal(r.signal, null, 'ended by itself, well within the time limit')
  t.equal(r.status, 1, 'exit 1')
  t.match(r.stderr, /\/nonexistent\/chromium is missing/)
  t.match(r.stderr, /apt-get install -y chromium chromium-l10n/)
})

t.test('scripts/test.mjs stops before any test when the browser is missing', async (t) => {
  const root = projectRoot()
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs'), 'test/e2e-pages.test.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
    // Left out of the coverage figures: the runner itself is not what this file measures.
    env: { ...process.env, TEST_CHROMIUM: '/nonexistent/chromium', TEST_INSTALL: 'never', TEST_POSTGRES: 'off', CI: '', _TAPJS_PROCESSINFO_COVERAGE_: '0' }
  })
  t.equal(r.status, 1, 'exit 1')
  t.match(r.stderr, /apt-get install -y chromium chromium-l10n/)
  t.notMatch(r.stdout, /===== SQLite/, 'no test pass started')
})
