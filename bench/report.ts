// `npm run bench:report`: the season report over a season of about a million slots
// (BENCH_SIZE=season, the default) or a national year of about 4 million (BENCH_SIZE=national),
// next to a bare `SELECT count(*)` over the same rows. Prints figures; asserts nothing (see
// docs/performance.md, "Season report" and "Season report at a national scale").
//
// 1. A temporary SQLite file, migrated up to 0009 (before the report's rollups); then, in one
//    transaction, multi-row inserts through kysely (the triggers of migration 0003 run as in
//    production):
//    - season: 20 CPTS of 50 practitioners (1,000: 4 GPs for 1 psychiatrist), each with 17 slots
//      a day over the 60 days of the 2020 season (1,020,000 slots);
//    - national: 100 CPTS of 20 practitioners (2,000), each publishing 17 slots on about one day
//      in three of 2021 (365 days, ~4.1 M slots);
//    in their final state: 5% withdrawn, 3% with a cancelled booking, 60% booked (85% honored,
//    10% no-show, 5% without outcome); calls, ~5% of the slots with a released hold. Then
//    migration 0012 (the rollups and their triggers) runs and backfills: its time is printed;
//    then every practitioner joins the next CPTS and one slot in ten is offered to it too
//    (slot_offers, counted by 0020's triggers): one CPTS's report reads them.
// 2. GET /api/reports/season through app.inject (the whole server: auth, zod, JSON, and on
//    SQLite the report's worker thread) for the whole period, one CPTS, and one kind: a warm-up,
//    then 5 runs each; median and slots/s. Then each query of the report alone, on the main
//    connection, for the whole period.
// 3. Baseline: `SELECT count(*)` of the same rows (same index range): the cheapest possible
//    pass over them; the ratio says what the report costs on top.
// 4. The live board meanwhile: 4 regulators hold then book future slots, a hold due every 80 ms
//    each (timed from when it was due to its reply, so a blocked event loop counts), with no report running, with whole-period reports asked back
//    to back through the route (worker thread), and during two runs of the same report computed
//    from the slots on the main thread (how it ran before): p50, p99 and max of hold → reply.
// 5. The import: a CSV of 100,000 lines (BENCH_IMPORT_LINES) through POST /api/import/season
//    (its own worker thread from 256 KiB on), while the regulators of step 4 go on holding and
//    booking until it answers: hold p50, p99 and max during the import, next to the same
//    figures without it (step 4's first phase, same run); due → reply as in step 4, and each
//    hold's own request → reply (on a loaded machine the regulators fall behind their pace, and
//    due → reply then grows with the length of the phase).
//
// BENCH_DATA_DIR=/some/dir keeps the database there and reuses it on the next run (tuning).
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { sql, type Insertable } from 'kysely'
import { openSqlite, type Db } from '../db/connection.js'
import { migrateToLatest, migratorFor } from '../db/migrate.js'
import type { BookingsTable, SlotsTable } from '../db/types.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { noSlotCalls } from '../server/features/reports/report-common.js'
import { seasonReportFromSlots } from '../server/features/reports/report-from-slots.js'
import { dayHourRows } from '../server/features/reports/fill-by-hour.js'
import { groupRows, leadRows, type ReportScope } from '../server/features/reports/report-repository.js'
import { slotLocalColumns } from '../server/features/slots/local-columns.js'
import { slotOfferedTo } from '../server/features/slots/offer-rule.js'
import { createUser } from '../server/features/users/users-service.js'
import { withRppsKey } from '../shared/rpps.js'

const NATIONAL = process.env.BENCH_SIZE === 'national'
const CPTS = Number(process.env.BENCH_CPTS ?? (NATIONAL ? 100 : 20))
const PER_CPTS = Number(process.env.BENCH_PRACTITIONERS ?? (NATIONAL ? 20 : 50))
const SLOTS_PER_DAY = Number(process.env.BENCH_SLOTS_PER_DAY ?? 17)
/** Chance that a practitioner publishes on a given day. */
const DAY_SHARE = NATIONAL ? 1 / 3 : 1
const FROM = NATIONAL ? '2021-01-01' : '2020-07-13'
const TO = NATIONAL ? '2021-12-31' : '2020-09-10'
const DAYS = NATIONAL ? 365 : 60
const CALLS = NATIONAL ? 240_000 : 60_000
const IMPORT_LINES = Number(process.env.BENCH_IMPORT_LINES ?? 100_000)
const RUNS = 5
const CHUNK = 500
const BUFFER_SLOTS = 100_000
const ZONE = 'Europe/Paris'
const NOW = NATIONAL ? '2022-01-15T08:00:00.000Z' : '2020-09-15T08:00:00.000Z'
const ADMIN = { email: 'admin@bench.test', password: 'bench-password-1' }
const REGULATORS = 4
/** Hold + book cycles per regulator in each phase of step 4. */
const CYCLES = Number(process.env.BENCH_CYCLES ?? 60)
/** Each regulator's holds are due this often (ms): 4 regulators, 50 holds/s in all. */
const PACE_MS = 80

const started = performance.now()
const log = (line: string): void => { console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`) }
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 })

/** A small deterministic generator: the same data on every run. */
let seed = 42
const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }

const cptsId = (c: number): string => `cpts-${c}`
const practitionerOf = (n: number): { id: string, cptsId: string, psy: boolean } =>
  ({ id: `pract-${n}`, cptsId: cptsId(Math.floor(n / PER_CPTS)), psy: n % 5 === 4 })
const rppsOf = (n: number): string => withRppsKey(String(1000000000 + n))

async function countOf (db: Db, table: 'slots' | 'bookings' | 'events' | 'calls' | 'slot_offers'): Promise<number> {
  return Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
}

/** The season, in its final state, in one transaction. */
async function generate (db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let c = 0; c < CPTS; c++) {
      await trx.insertInto('cpts').values({ id: cptsId(c), name: `CPTS ${c}`, timezone: ZONE, created_at: NOW }).execute()
    }
    for (let n = 0; n < CPTS * PER_CPTS; n++) {
      const p = practitionerOf(n)
      await trx.insertInto('users').values({ id: p.id, email: `p${n}@bench.test`, name: `Dr ${n}`, role: 'practitioner', password_hash: 'x', cpts_id: p.cptsId, created_at: NOW, disabled_at: null }).execute()
      await trx.insertInto('practitioners').values({
        user_id: p.id, rpps: rppsOf(n), profession: p.psy ? 'psychiatrist' : 'gp',
        address: '1 rue de la Plage', postal_code: '85160', commune: 'Saint-Jean-de-Monts', commune_code: '85234', phone: '0251580000'
      }).execute()
    }

    const t0 = Date.parse(`${FROM}T00:00:00+02:00`)
    let slotRows: Array<Insertable<SlotsTable>> = []
    let bookingRows: Array<Insertable<BookingsTable>> = []
    let released: Array<{ at: string, type: string, slot_id: string, payload: string }> = []
    const flush = async (): Promise<void> => {
      for (let i = 0; i < slotRows.length; i += CHUNK) await trx.insertInto('slots').values(slotRows.slice(i, i + CHUNK)).execute()
      for (let i = 0; i < bookingRows.length; i += CHUNK) await trx.insertInto('bookings').values(bookingRows.slice(i, i + CHUNK)).execute()
      for (let i = 0; i < released.length; i += CHUNK) await trx.insertInto('events').values(released.slice(i, i + CHUNK)).execute()
      slotRows = []
      bookingRows = []
      released = []
    }
    let slots = 0
    let bookings = 0
    for (let d = 0; d < DAYS; d++) {
      for (let n = 0; n < CPTS * PER_CPTS; n++) {
        if (DAY_SHARE < 1 && rand() >= DAY_SHARE) continue
        const p = practitionerOf(n)
        const firstMinute = (8 + Math.floor(rand() * 8)) * 60
        for (let k = 0; k < SLOTS_PER_DAY; k++) {
          const start = new Date(t0 + d * 86_400_000 + (firstMinute + k * 15) * 60_000)
          const id = `s${slots++}`
          const r = rand()
          const withdrawn = r < 0.05
          const cancelled = !withdrawn && r < 0.08
          const booked = !withdrawn && !cancelled && r < 0.68
          const bookingId = booked || cancelled ? `b${bookings++}` : null
          slotRows.push({
            id, practitioner_id: p.id, cpts_id: p.cptsId, start_at: start.toISOString(), end_at: new Date(start.getTime() + 15 * 60_000).toISOString(),
            kind: p.psy ? 'psy' : 'snp', mode: 'office', status: withdrawn ? 'withdrawn' : booked ? 'booked' : 'free',
            hold_by: null, hold_expires_at: null, booking_id: booked ? bookingId : null,
            created_at: NOW, updated_at: NOW, withdrawn_at: withdrawn ? start.toISOString() : null,
            ...slotLocalColumns(start, ZONE)
          })
          if (bookingId !== null) {
            const o = rand()
            bookingRows.push({
              id: bookingId, slot_id: id, status: cancelled ? 'cancelled' : o < 0.85 ? 'honored' : o < 0.95 ? 'no_show' : 'booked',
              patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null, reason: null,
              has_treating_gp: (['yes', 'no', 'unknown'] as const)[Math.floor(rand() * 3)] ?? 'unknown', booked_by: null,
              booked_at: new Date(start.getTime() - Math.floor(rand() * 72 * 60) * 60_000).toISOString(), idempotency_key: null,
              cancelled_at: null, cancel_reason: null, cancelled_by: null, outcome_at: null, outcome_by: null
            })
          }
          if (rand() < 0.05) released.push({ at: NOW, type: 'slot.released', slot_id: id, payload: '{}' })
          if (slotRows.length >= BUFFER_SLOTS) await flush()
        }
      }
    }
    await flush()
    const outcomes = ['booked', 'redirected_treating_gp', 'advice', 'no_slot'] as const
    const calls = Array.from({ length: CALLS }, (_, i) => ({
      id: `call-${i}`, at: new Date(t0 + rand() * DAYS * 86_400_000).toISOString(), regulator_id: null,
      outcome: outcomes[i % 4] ?? 'other', kind: i % 5 === 0 ? 'psy' : 'snp', has_treating_gp: 'unknown', booking_id: null,
      commune_code: null, cpts_id: cptsId(i % CPTS)
    }))
    for (let i = 0; i < calls.length; i += CHUNK) await trx.insertInto('calls').values(calls.slice(i, i + CHUNK)).execute()
  })
}

/**
 * Every practitioner is a member of the next CPTS too, and one slot in ten of each CPTS is
 * offered to it besides its own (after the slot, as publishing does): one CPTS's report reads
 * its extra offers (migration 0020), the territory's counts them once.
 */
async function offerToNextCpts (db: Db): Promise<void> {
  if (CPTS < 2) return
  await db.transaction().execute(async (trx) => {
    for (let c = 0; c < CPTS; c++) {
      const next = cptsId((c + 1) % CPTS)
      await trx.insertInto('cpts_memberships').columns(['practitioner_id', 'cpts_id', 'created_at'])
        .expression((eb) => eb.selectFrom('users').where('cpts_id', '=', cptsId(c)).where('role', '=', 'practitioner')
          .select((eb) => ['id', eb.val(next).as('cpts_id'), eb.val(NOW).as('created_at')])).execute()
      await trx.insertInto('slot_offers').columns(['slot_id', 'cpts_id'])
        .expression((eb) => eb.selectFrom('slots').where('cpts_id', '=', cptsId(c)).where(sql<boolean>`rowid % 10 = 0`)
          .select((eb) => ['id', eb.val(next).as('cpts_id')])).execute()
    }
  })
}

/** IMPORT_LINES past slots of 200 practitioners (from summer 2019), two thirds honored. */
function importCsv (): string {
  const lines = ['rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp']
  const t0 = Date.parse('2019-07-15T08:00:00Z')
  for (let i = 0; i < IMPORT_LINES; i++) {
    const n = i % 200
    const start = new Date(t0 + Math.floor(i / 200) * 12 * 3600_000)
    const end = new Date(start.getTime() + 15 * 60_000)
    const booked = i % 3 !== 0
    lines.push([rppsOf(n), start.toISOString(), end.toISOString(), practitionerOf(n).psy ? 'psy' : 'snp', 'office', '',
      booked ? new Date(start.getTime() - 3600_000).toISOString() : '', booked ? 'honored' : '', booked ? 'no' : ''].join(','))
  }
  return lines.join('\n') + '\n'
}

async function timed (fn: () => Promise<unknown>, runs = RUNS): Promise<{ median: number, all: number[] }> {
  await fn() // warm-up
  const all: number[] = []
  for (let i = 0; i < runs; i++) {
    const a = performance.now()
    await fn()
    all.push(performance.now() - a)
  }
  return { median: median(all), all }
}

const keep = process.env.BENCH_DATA_DIR
const dataDir = keep ?? mkdtempSync(join(os.tmpdir(), 'creneaux-bench-report-'))
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
const db = openSqlite(config.dbFile)
// A page cache for the bulk load (SQLite's default is 2 MiB: one transaction of millions of rows
// would spill its pages to the WAL again and again). The report's worker keeps the default.
await sql`PRAGMA cache_size = -2097152`.execute(db)
try {
  const migrator = await migratorFor(db)
  const before = await migrator.migrateTo('0009_slot_series')
  if (before.error !== undefined) throw before.error as Error
  const clock = new ManualClock(NOW)
  if (await db.selectFrom('cpts').select('id').executeTakeFirst() === undefined) {
    const a = performance.now()
    await generate(db)
    const s = (performance.now() - a) / 1000
    log(`generated in ${s.toFixed(1)} s (${fmt(await countOf(db, 'slots') / s)} slots/s, with bookings, events and calls, one transaction)`)
    const b = performance.now()
    await migrateToLatest(db)
    log(`migrations 0010–latest (0012's rollups, 0019's places, backfills, triggers) in ${((performance.now() - b) / 1000).toFixed(1)} s`)
    // The admin once the schema is today's (an account has columns added after 0009); not
    // bootstrapAdmin, which only fills an empty database.
    await createUser(db, { ...ADMIN, name: 'Administrateur', role: 'admin' }, { id: null, ip: null }, clock.now())
  } else {
    await migrateToLatest(db)
    // A reused database forgets the previous run's import (the 2019 slots). Without the foreign
    // key checks: each deleted slot would scan the events table (no index on events.slot_id).
    await sql`PRAGMA foreign_keys = OFF`.execute(db)
    await db.deleteFrom('bookings').where('slot_id', 'in', (eb) => eb.selectFrom('slots').select('id').where('local_date', '<', '2020-01-01')).execute()
    await db.deleteFrom('slots').where('local_date', '<', '2020-01-01').execute()
    await sql`PRAGMA foreign_keys = ON`.execute(db)
    log(`reusing ${config.dbFile}`)
  }
  // Both ways, the offers come after 0019 (which a reused database went down below and up again).
  const o = performance.now()
  await offerToNextCpts(db)
  log(`${fmt(await countOf(db, 'slot_offers'))} slots offered to a second CPTS (0020's triggers) in ${((performance.now() - o) / 1000).toFixed(1)} s`)
  const counts = { slots: await countOf(db, 'slots'), bookings: await countOf(db, 'bookings'), events: await countOf(db, 'events'), calls: await countOf(db, 'calls') }
  log(`${fmt(counts.slots)} slots, ${fmt(counts.bookings)} bookings, ${fmt(counts.events)} released holds, ${fmt(counts.calls)} calls`)

  const app = await buildApp({ config, db, clock, logger: false })
  await app.ready()
  const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: ADMIN })
  if (signIn.statusCode !== 200) throw new Error(`sign-in: ${signIn.statusCode} ${signIn.body}`)
  const cookie = `sid=${signIn.cookies.find((c) => c.name === 'sid')?.value ?? ''}`

  const countRows = async (s: ReportScope): Promise<number> => {
    let q = db.selectFrom('slots').where('local_date', '>=', s.from).where('local_date', '<=', s.to)
    if (s.cptsId !== undefined) q = q.where(slotOfferedTo(s.cptsId))
    if (s.kind !== undefined) q = q.where('kind', '=', s.kind)
    return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  }

  const cases: Array<{ name: string, scope: ReportScope }> = [
    { name: NATIONAL ? 'whole year' : 'whole season', scope: { from: FROM, to: TO } },
    { name: 'one CPTS', scope: { from: FROM, to: TO, cptsId: cptsId(0) } },
    { name: 'kind psy', scope: { from: FROM, to: TO, kind: 'psy' } }
  ]
  const rows: string[] = []
  for (const c of cases) {
    const url = `/api/reports/season?from=${c.scope.from}&to=${c.scope.to}${c.scope.cptsId !== undefined ? `&cptsId=${c.scope.cptsId}` : ''}${c.scope.kind !== undefined ? `&kind=${c.scope.kind}` : ''}`
    let body = ''
    const report = await timed(async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } })
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
      body = res.body
    })
    let n = 0
    const base = await timed(async () => { n = await countRows(c.scope) })
    const r = JSON.parse(body) as { totals: { offered: number, fillRate: number, majorationEuros: number }, byPractitioner: unknown[], leadTime: { medianHours: number } }
    log(`${c.name}: report ${report.all.map((t) => t.toFixed(0)).join(', ')} ms; count(*) ${base.all.map((t) => t.toFixed(1)).join(', ')} ms; ` +
      `offered ${fmt(r.totals.offered)}, fill rate ${(r.totals.fillRate * 100).toFixed(1)}%, ${r.byPractitioner.length} practitioners, ` +
      `majoration €${fmt(r.totals.majorationEuros)}, median lead ${r.leadTime.medianHours.toFixed(1)} h`)
    rows.push(`| ${c.name} | ${fmt(n)} | ${report.median.toFixed(0)} ms | ${fmt(n / (report.median / 1000))} | ${base.median.toFixed(1)} ms | ${(report.median / base.median).toFixed(1)}× | ${(body.length / 1024).toFixed(0)} KiB |`)
  }

  const whole = cases[0]!.scope
  const passes: Array<[string, () => Promise<unknown>]> = [
    ['by day and hour', () => dayHourRows(db, whole)],
    ['by week and practitioner', () => groupRows(db, whole)],
    ['lead times', () => leadRows(db, whole)],
    ['no-slot calls', () => noSlotCalls(db, whole)]
  ]
  const passRows: string[] = []
  for (const [name, fn] of passes) passRows.push(`| ${name} | ${(await timed(fn)).median.toFixed(1)} ms |`)

  // The live board meanwhile: regulators hold then book future slots, back to back.
  const regulators: string[] = []
  for (let i = 0; i < REGULATORS; i++) {
    const email = `regulator${i}@bench.test`
    const made = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { email, name: `Régulateur ${i}`, password: ADMIN.password, role: 'regulator' } })
    if (made.statusCode !== 201 && made.statusCode !== 409) throw new Error(`regulator: ${made.statusCode} ${made.body}`)
    const session = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password: ADMIN.password } })
    regulators.push(`sid=${session.cookies.find((c) => c.name === 'sid')?.value ?? ''}`)
  }
  const future = Date.parse(NOW) + 30 * 86_400_000
  /** Holds the regulators may make during the import (a hold due every PACE_MS each, for up to IMPORT_HOLD_S seconds). */
  const IMPORT_HOLD_S = 600
  const importCycles = Math.ceil(IMPORT_HOLD_S * 1000 / PACE_MS)
  const futureSlots = Array.from({ length: 4 * REGULATORS * CYCLES + REGULATORS * importCycles }, (_, i) => {
    const start = new Date(future + i * 15 * 60_000)
    return {
      id: `live-${Date.now()}-${i}`, practitioner_id: practitionerOf(i % PER_CPTS).id, cpts_id: cptsId(0), start_at: start.toISOString(),
      end_at: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp' as const, mode: 'office' as const, status: 'free' as const,
      hold_by: null, hold_expires_at: null, booking_id: null, created_at: NOW, updated_at: NOW, withdrawn_at: null, ...slotLocalColumns(start, ZONE)
    }
  })
  for (let i = 0; i < futureSlots.length; i += CHUNK) await db.insertInto('slots').values(futureSlots.slice(i, i + CHUNK)).execute()
  // At their practitioner's home place, as publishing writes it.
  await db.updateTable('slots').where('place_id', 'is', null)
    .set((eb) => ({ place_id: eb.selectFrom('practitioner_places').select('practitioner_places.id').whereRef('practitioner_places.practitioner_id', '=', 'slots.practitioner_id').where('practitioner_places.is_home', '=', 1) }))
    .execute()
  let nextSlot = 0
  const patient = { lastName: 'Banc', firstName: 'Essai', birthDate: '1970-01-01', phone: '06 00 00 00 00' }
  /** Of the last `regulate`: each hold from its request to its reply (closed loop: a late regulator's backlog left out). */
  let own: number[] = []
  const regulate = async (stop: () => boolean, cycles = CYCLES): Promise<number[]> => {
    const holds: number[] = []
    own = []
    await Promise.all(regulators.map(async (reg) => {
      // Open loop: each regulator's holds are due every PACE_MS, and timed from when they were
      // due, so that an event loop blocked by a report counts (a real request would wait in
      // the socket meanwhile; an in-process one cannot even be sent).
      const t0 = performance.now() + Math.random() * PACE_MS
      for (let k = 0; k < cycles && !stop(); k++) {
        const slot = futureSlots[nextSlot++]!
        const due = t0 + k * PACE_MS
        if (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, due - performance.now()))
        const sent = performance.now()
        const hold = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg } })
        holds.push(performance.now() - due)
        own.push(performance.now() - sent)
        if (hold.statusCode !== 200) throw new Error(`hold: ${hold.statusCode} ${hold.body}`)
        const book = await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/booking`, headers: { cookie: reg }, payload: { patient, hasTreatingGp: 'no' } })
        if (book.statusCode !== 201) throw new Error(`book: ${book.statusCode} ${book.body}`)
      }
    }))
    return holds
  }
  /**
   * Runs `background` back to back until the regulators are done, or the regulators until
   * `background` has run `maxRuns` times; its runs are counted.
   */
  const meanwhile = async (background: (() => Promise<unknown>) | null, maxRuns = Infinity): Promise<{ holds: number[], reports: number }> => {
    let done = false
    let reports = 0
    // Each report starts on a macrotask, as a request would (the main-thread report's kysely
    // promises would otherwise starve the event loop for good).
    const loop = (async () => {
      while (background !== null && !done && reports < maxRuns) {
        await new Promise((resolve) => setImmediate(resolve))
        await background()
        reports++
      }
    })()
    const holds = await regulate(() => reports >= maxRuns)
    done = true
    await loop
    return { holds, reports }
  }
  const wholeUrl = `/api/reports/season?from=${FROM}&to=${TO}`
  await meanwhile(null) // warm-up
  // The main-thread report stops the regulators for its whole run: two runs are enough to see it.
  const phases: Array<[string, (() => Promise<unknown>) | null, number]> = [
    ['no report', null, Infinity],
    ['reports through the route (worker thread)', async () => await app.inject({ method: 'GET', url: wholeUrl, headers: { cookie } }), Infinity],
    ['report from the slots on the main thread (as before)', async () => await seasonReportFromSlots(db, whole, { euros: 15, weeklyCap: 20 }), 2]
  ]
  const pct = (v: number[], p: number): number => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] ?? Number.NaN
  const liveRows: string[] = []
  let ownWithout: number[] = []
  for (const [name, background, maxRuns] of phases) {
    const r = await meanwhile(background, maxRuns)
    if (background === null) ownWithout = own
    log(`live board, ${name}: ${r.holds.length} holds, p50 ${pct(r.holds, 0.5).toFixed(1)} ms, p99 ${pct(r.holds, 0.99).toFixed(1)} ms, ${r.reports} reports meanwhile`)
    liveRows.push(`| ${name} | ${r.holds.length} | ${pct(r.holds, 0.5).toFixed(1)} ms | ${pct(r.holds, 0.99).toFixed(1)} ms | ${Math.max(...r.holds).toFixed(1)} ms | ${r.reports} |`)
  }

  // The import, the regulators holding and booking until it answers.
  const csv = importCsv()
  const a = performance.now()
  let imported = false
  const importing = app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie, 'content-type': 'text/csv' }, payload: csv })
    .finally(() => { imported = true })
  const duringImport = await regulate(() => imported, importCycles)
  const ownDuring = own
  const res = await importing
  const importMs = performance.now() - a
  log(`import of ${fmt(IMPORT_LINES)} lines (${(csv.length / 1024).toFixed(0)} KiB): ${res.statusCode} ${res.body} in ${importMs.toFixed(0)} ms`)
  log(`live board during the import: ${duringImport.length} holds, p50 ${pct(duringImport, 0.5).toFixed(1)} ms, p99 ${pct(duringImport, 0.99).toFixed(1)} ms, max ${Math.max(...duringImport).toFixed(1)} ms`)
  const without = liveRows[0] ?? ''
  await app.close()

  console.log('')
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${os.platform()} ${os.release()}`)
  console.log(`${fmt(counts.slots)} slots, ${fmt(counts.bookings)} bookings, ${CPTS} CPTS, ${CPTS * PER_CPTS} practitioners, ${DAYS} days`)
  console.log('')
  console.log(`| GET /api/reports/season | slots in scope | median of ${RUNS} | slots/s | count(*) baseline | ratio | answer |`)
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) console.log(r)
  console.log('')
  console.log(`| hold due → reply, ${REGULATORS} regulators, a hold due every ${PACE_MS} ms each | holds | p50 | p99 | max | reports meanwhile |`)
  console.log('|---|---|---|---|---|---|')
  for (const r of liveRows) console.log(r)
  console.log('')
  console.log(`| query (whole period, main connection) | median of ${RUNS} |`)
  console.log('|---|---|')
  for (const r of passRows) console.log(r)
  console.log('')
  console.log(`Import: ${fmt(IMPORT_LINES)} lines in ${importMs.toFixed(0)} ms (${res.statusCode}), ${fmt(IMPORT_LINES / (importMs / 1000))} lines/s.`)
  console.log('')
  console.log(`| hold due → reply, ${REGULATORS} regulators, a hold due every ${PACE_MS} ms each | holds | p50 | p99 | max | |`)
  console.log('|---|---|---|---|---|---|')
  console.log(without)
  console.log(`| during the import of ${fmt(IMPORT_LINES)} lines | ${duringImport.length} | ${pct(duringImport, 0.5).toFixed(1)} ms | ${pct(duringImport, 0.99).toFixed(1)} ms | ${Math.max(...duringImport).toFixed(1)} ms | |`)
  console.log('')
  console.log('| hold request → reply (closed loop) | holds | p50 | p99 | max |')
  console.log('|---|---|---|---|---|')
  for (const [name, v] of [['without the import', ownWithout], [`during the import of ${fmt(IMPORT_LINES)} lines`, ownDuring]] as const) {
    console.log(`| ${name} | ${v.length} | ${pct(v, 0.5).toFixed(1)} ms | ${pct(v, 0.99).toFixed(1)} ms | ${Math.max(...v).toFixed(1)} ms |`)
  }
} finally {
  await db.destroy()
  if (keep === undefined) rmSync(dataDir, { recursive: true, force: true })
}
