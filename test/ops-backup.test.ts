// Issue 26: `npm run backup` copies the SQLite database while the server books (a process of its
// own, as an operator runs it), and `npm run restore` puts the copy in an empty data folder and
// refuses to overwrite one; the copy holds every booking acknowledged before the backup began
// and passes integrity_check. On PostgreSQL both point to pg_dump / pg_restore instead.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import SQLite from 'better-sqlite3'
import { projectRoot } from '../server/config.js'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const run = promisify(execFile)
const ROOT = projectRoot()

async function cli (script: 'backup' | 'restore', arg: string, env: Record<string, string>): Promise<{ code: number, out: string }> {
  const base = { ...process.env }
  delete base.DATABASE_URL
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', `${script}.ts`), arg], { cwd: ROOT, env: { ...base, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...env } })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

t.test('backup during booking load, then restore into an empty folder: every acknowledged booking, integrity ok', async (t) => {
  const { app, storageEnv } = await build(t, {}, new Date(Date.now() - 60_000).toISOString())
  const folder = mkdtempSync(join(tmpdir(), 'creneaux-backup-'))
  t.teardown(() => { rmSync(folder, { recursive: true, force: true }) })
  const file = join(folder, 'copy.sqlite')
  if (TEST_ENGINE === 'postgres') {
    const r = await cli('backup', file, storageEnv)
    t.equal(r.code, 2)
    t.match(r.out, /pg_dump/, 'PostgreSQL: the command says to use pg_dump')
    t.match((await cli('restore', file, storageEnv)).out, /pg_restore/)
    return
  }
  const terr = await territory(app)
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
  const series = await app.inject({
    method: 'POST', url: '/api/slots/series', headers: { cookie: terr.users.gp.cookie },
    payload: { from: day, to: day, weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '00:00', slotMinutes: 5, count: 48, kind: 'snp', mode: 'office' }
  })
  t.equal(series.statusCode, 201, 'a day of slots')
  const slotIds = (series.json().created as Array<{ id: string }>).map((s) => s.id)

  // Bookings one after the other, each acknowledged (201) or not, until told to stop.
  const acknowledged: string[] = []
  let stop = false
  const load = (async () => {
    for (const slotId of slotIds) {
      if (stop) break
      const res = await app.inject({
        method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie: terr.users.regulator.cookie },
        payload: { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }
      })
      if (res.statusCode === 201) acknowledged.push(res.json().id as string)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  while (acknowledged.length < 10) await new Promise((resolve) => setTimeout(resolve, 5))
  const before = [...acknowledged]
  const backup = await cli('backup', file, storageEnv)
  const during = acknowledged.length - before.length
  stop = true
  await load
  t.equal(backup.code, 0, 'the backup ran', { out: backup.out })
  t.match(backup.out, /integrity_check: ok/)
  t.comment(`${during} bookings acknowledged while the backup ran`)
  t.equal((await cli('backup', file, storageEnv)).code, 1, 'a backup never overwrites a file')

  // Restore into an empty data folder; a second time into the same folder is refused.
  const restored = join(folder, 'data')
  const r1 = await cli('restore', file, { DATA_DIR: restored })
  t.equal(r1.code, 0, 'restored', { out: r1.out })
  t.ok(existsSync(join(restored, 'creneaux.sqlite')))
  const r2 = await cli('restore', file, { DATA_DIR: restored })
  t.equal(r2.code, 1)
  t.match(r2.out, /already holds a database/)
  t.match((await cli('restore', file, storageEnv)).out, /already holds a database/, 'nor over the live database')

  const copy = new SQLite(join(restored, 'creneaux.sqlite'), { readonly: true })
  t.teardown(() => copy.close())
  t.same(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }])
  const ids = new Set((copy.prepare("SELECT id FROM bookings WHERE status = 'booked'").all() as Array<{ id: string }>).map((r) => r.id))
  t.same(before.filter((id) => !ids.has(id)), [], `the ${before.length} bookings acknowledged before the backup are all in it`)
  t.ok(ids.size <= acknowledged.length, 'and nothing that was never acknowledged')
})
