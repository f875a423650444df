// Issue 13 (medium): a large season import runs in a worker thread with its own SQLite
// connection. While it runs, the live board is served (reads answer, a hold waits for the
// import's commit without blocking anyone), and the import stays all or nothing.
import t from 'tap'
import { IMPORT_WORKER_MIN_BYTES } from '../server/features/season-import/import-routes.js'
import { build } from './helpers/build.js'
import { countRows, publishSlot, territory, type Territory } from './helpers/fixtures.js'

const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'

/** `n` past 15-minute slots, alternating between two GPs, a third of them booked. */
function season (terr: Territory, n: number): string[] {
  const lines: string[] = []
  const t0 = Date.UTC(2025, 0, 6, 7)
  for (let i = 0; i < n; i++) {
    const rpps = i % 2 === 0 ? terr.users.gp.rpps : terr.users.gp2.rpps
    const s = new Date(t0 + Math.floor(i / 2) * 15 * 60_000)
    const e = new Date(s.getTime() + 15 * 60_000)
    lines.push(`${rpps},${s.toISOString()},${e.toISOString()},snp,office,,${i % 3 === 0 ? `${s.toISOString()},honored,no` : ',,'}`)
  }
  return lines
}

t.test('a large import runs beside the live board, and counts all its lines', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const csv = [HEADER, ...season(terr, 30_000)].join('\n')
  t.ok(csv.length > IMPORT_WORKER_MIN_BYTES, `a file of ${Math.round(csv.length / 1024)} KiB goes to the worker`)

  const done: string[] = []
  const importing = app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: csv })
    .then((res) => { done.push('import'); return res })
  // What regulators do meanwhile: read who they are, and hold a slot.
  const reads: Array<Promise<number>> = []
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    reads.push(app.inject({ method: 'GET', url: '/api/me', headers: { cookie: terr.users.regulator.cookie } }).then((r) => { done.push('me'); return r.statusCode }))
  }
  const hold = app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: terr.users.regulator.cookie } })

  const res = await importing
  t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
  t.same(res.json(), { slots: 30_000, bookings: 10_000 })
  t.same(await Promise.all(reads), [200, 200, 200, 200, 200])
  t.ok(done.indexOf('me') < done.indexOf('import'), `reads were answered while the import ran (${done.join(', ')})`)
  t.equal((await hold).statusCode, 200, 'the hold went through (after the import committed, or before it began)')
  const report = await app.inject({ method: 'GET', url: '/api/reports/season?from=2025-01-01&to=2025-12-31', headers: { cookie: terr.users.board.cookie } })
  t.equal(report.json().totals.offered, 15_000, 'the first CPTS\'s half of the season is in its report')
})

t.test('a large import with one bad line writes nothing, and names the line', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const lines = season(terr, 20_000)
  lines.push(`${terr.users.gp.rpps},2025-13-01T10:00:00Z,2025-13-01T10:15:00Z,snp,office,,,,`)
  const before = await countRows(db, ['slots', 'bookings', 'audit_log'])
  const res = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: [HEADER, ...lines].join('\n') })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'IMPORT_INVALID')
  t.same(res.json().errors.map((e: any) => e.line), [20_002])
  t.same(await countRows(db, ['slots', 'bookings', 'audit_log']), before, 'nothing written')
})

t.test('a large dry run checks in the worker and writes nothing', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const before = await countRows(db, ['slots', 'bookings', 'audit_log'])
  const res = await app.inject({ method: 'POST', url: '/api/import/season?dryRun=true', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: [HEADER, ...season(terr, 20_000)].join('\n') })
  t.equal(res.statusCode, 200, res.body.slice(0, 500))
  t.same(res.json(), { slots: 20_000, bookings: 6_667, dryRun: true })
  t.same(await countRows(db, ['slots', 'bookings', 'audit_log']), before, 'nothing written')
})
