// Issue 24, item 2: a large season import no longer stops live writes. While it writes, a
// regulator's holds go through (each answered before the import is); the import stays all or
// nothing: one that fails half-way, or whose thread dies half-way, leaves nothing, rollups included.
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../db/dialect.js'
import type { Database } from '../db/types.js'
import { startWorker } from '../server/lib/start-worker.js'
import type { ImportJob } from '../server/features/season-import/import-worker.js'
import { importSeason } from '../server/features/season-import/season-import.js'
import { ADMIN, build } from './helpers/build.js'
import { countRows, publishSlot, territory, type Territory } from './helpers/fixtures.js'

const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const TABLES = ['slots', 'bookings', 'events', 'audit_log', 'season_import_runs', 'season_import_steps'] as const

/** `n` past 15-minute slots of 2025, alternating between the two GPs, a third of them booked. */
function season (terr: Territory, n: number): string {
  const lines: string[] = [HEADER]
  const t0 = Date.UTC(2025, 0, 6, 7)
  for (let i = 0; i < n; i++) {
    const rpps = i % 2 === 0 ? terr.users.gp.rpps : terr.users.gp2.rpps
    const s = new Date(t0 + Math.floor(i / 2) * 15 * 60_000)
    const e = new Date(s.getTime() + 15 * 60_000)
    lines.push(`${rpps},${s.toISOString()},${e.toISOString()},snp,office,,${i % 3 === 0 ? `${s.toISOString()},honored,no` : ',,'}`)
  }
  return lines.join('\n')
}

/**
 * The counters of the three report rollups, in key order: what the season report reads. A key
 * whose counters went back to zero (its slots deleted) keeps its row, as after any deletion.
 */
async function rollups (db: Kysely<Database>): Promise<unknown[]> {
  const counted = (rows: Array<Record<string, unknown>>, counters: string[]): unknown[] => rows.filter((r) => counters.some((c) => Number(r[c]) !== 0))
  return [
    counted(await db.selectFrom('report_day_hours').selectAll().orderBy(['local_date', 'local_hour', 'kind']).execute(), ['total', 'withdrawn', 'booked', 'released']),
    counted(await db.selectFrom('report_practitioner_days').selectAll().orderBy(['practitioner_id', 'cpts_id', 'kind', 'iso_week', 'local_date']).execute(),
      ['total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp']),
    counted(await db.selectFrom('report_lead_hours').selectAll().orderBy(['lead_hour', 'local_date', 'kind']).execute(), ['n'])
  ]
}

/**
 * Whether the import is writing: on SQLite its run is under way (import-journal.ts); on
 * PostgreSQL its transaction holds the GP's account (lockAccounts), which SKIP LOCKED passes over.
 */
async function importWriting (db: Kysely<Database>, gpId: string): Promise<boolean> {
  if (!isPostgres(db)) return (await db.selectFrom('season_import_runs').select('id').executeTakeFirst()) !== undefined
  return await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`SELECT id FROM users WHERE id = ${gpId} FOR NO KEY UPDATE SKIP LOCKED`.execute(trx)
    return rows.length === 0
  })
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5))

t.test('holds made while a large import writes are answered before the import', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const slots = []
  for (let i = 0; i < 5; i++) slots.push(await publishSlot(app, terr.users.psy.cookie, `2026-06-0${2 + i}T12:00:00+02:00`, `2026-06-0${2 + i}T12:30:00+02:00`, 'psy'))
  const before = await rollups(db)

  const done: string[] = []
  const importing = app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: season(terr, 20_000) })
    .then((res) => { done.push('import'); return res })
  // Until the import writes (the file is read and checked first, writing nothing).
  while (done.length === 0 && !await importWriting(db, terr.users.gp.id)) await tick()
  t.same(done, [], 'the import was seen writing')
  const holds: number[] = []
  for (const slot of slots) {
    const res = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: terr.users.regulator.cookie } })
    holds.push(res.statusCode)
    done.push('hold')
  }
  const res = await importing
  t.equal(res.statusCode, 201, res.body.slice(0, 300))
  t.same(res.json(), { slots: 20_000, bookings: 6_667 })
  t.same(holds, [200, 200, 200, 200, 200], 'every hold went through')
  t.same(done, ['hold', 'hold', 'hold', 'hold', 'hold', 'import'], 'each hold answered before the import ended')
  t.same(await countRows(db, ['season_import_runs', 'season_import_steps']), { season_import_runs: 0, season_import_steps: 0 }, 'no journal left')
  t.not(JSON.stringify(await rollups(db)), JSON.stringify(before), 'the rollups count the season')
  const report = await app.inject({ method: 'GET', url: '/api/reports/season?from=2025-01-01&to=2025-12-31', headers: { cookie: terr.users.board.cookie } })
  t.equal(report.json().totals.offered, 10_000, 'the first CPTS\'s half of the season is in its report')
})

t.test('an import that fails half-way leaves nothing, rollups included', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const before = { rows: await countRows(db, TABLES), rollups: await rollups(db) }
  const admin = await db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()
  const batches: number[] = []
  const failing = importSeason(db, { id: admin.id, role: 'admin', ip: null }, season(terr, 2_000), new Date('2026-06-01T08:00:00Z'), {
    hooks: { afterBatch: (n) => { batches.push(n); if (n === 3) throw new Error('disk full (test)') } }
  })
  await t.rejects(failing, /disk full \(test\)/)
  t.same(batches, [0, 1, 2, 3], 'three batches were written before the fourth failed')
  t.same(await countRows(db, TABLES), before.rows, 'no slot, booking, audit entry or journal left')
  t.same(await rollups(db), before.rollups, 'the rollups\' counters as before')
  const again = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: season(terr, 2_000) })
  t.equal(again.statusCode, 201, 'the same file then goes in: nothing of the first attempt is in its way')
})

t.test('SQLite: an import whose thread dies half-way is undone at the next start', async (t) => {
  const A = await build(t)
  if (isPostgres(A.db)) {
    t.pass('PostgreSQL writes an import in one transaction: a dead connection\'s is rolled back by the server')
    return
  }
  const terr = await territory(A.app)
  const before = { rows: await countRows(A.db, TABLES), rollups: await rollups(A.db) }
  const admin = await A.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()
  const job: ImportJob = { dbFile: A.config.dbFile, actor: { id: admin.id, role: 'admin', ip: null }, text: season(terr, 20_000), now: '2026-06-01T08:00:00.000Z', dryRun: false }
  const worker = startWorker(new URL('../server/features/season-import/import-worker', import.meta.url), job)
  const answered = new Promise<boolean>((resolve) => { worker.once('message', () => { resolve(true) }); worker.once('exit', () => { resolve(false) }) })
  let written = 0
  while (written < 3) {
    await tick()
    written = (await countRows(A.db, ['season_import_steps'])).season_import_steps ?? 0
  }
  await worker.terminate()
  t.equal(await answered, false, 'the import died without an answer')
  const slots = (await countRows(A.db, ['slots'])).slots ?? 0
  t.ok(slots > (before.rows.slots ?? 0), `its first steps were written (${slots} slots)`)

  const B = await build(t, {}, undefined, { sameDatabaseAs: A })
  t.same(await countRows(B.db, TABLES), before.rows, 'at the next start: no slot, booking, audit entry or journal left')
  t.same(await rollups(B.db), before.rollups, 'the rollups\' counters as before')
})
