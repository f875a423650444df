/**
 * `npm run demo`: fills the database of DATA_DIR with a living demo — two CPTS of the Vendée
 * coast, one sign-in per role, the summer 2020 season imported through the season importer,
 * that season's calls, and open slots for the coming two weeks — so that `npm start` shows
 * every page with something on it.
 *
 * Everything goes through the application's own functions (createCpts, createUser, importSeason,
 * the slots' publishing and bookings, logCall, seasonReport) and its zod schemas, so every check of the server
 * applies. Safe to re-run: each part is looked for before it is made, so a second run adds
 * nothing (and, days later, only tops up the coming days). It refuses a database that holds
 * anything but the demo and, at most, the bootstrap admin: demo patients never land among real
 * ones.
 */
import { randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import type { Db } from '../db/connection.js'
import { describeDatabase, openDatabase } from '../db/open.js'
import { migrateToLatest } from '../db/migrate.js'
import type { Clock } from '../server/clock.js'
import type { Config } from '../server/config.js'
import { logCall } from '../server/features/calls/calls-service.js'
import { createCpts } from '../server/features/cpts/cpts-service.js'
import { seasonReport } from '../server/features/reports/report-repository.js'
import { importSeason } from '../server/features/season-import/season-import.js'
import type { Actor } from '../server/features/session/actor.js'
import { Bookings } from '../server/features/slots/bookings.js'
import { Publishing } from '../server/features/slots/publishing.js'
import { UnitOfWork } from '../server/features/slots/unit-of-work.js'
import { DEFAULT_LIMITS } from '../server/features/slots/slot-times.js'
import { createUser } from '../server/features/users/users-service.js'
import { createPlace, listPlacesOf, setMemberships } from '../server/features/places/places-service.js'
import { CreatePlaceBody, MembershipsBody } from '../shared/schemas/places.js'
import { matchCommune } from '../server/lib/communes.js'
import { idnpsOfRpps } from '../shared/rpps.js'
import { CreateCptsBody, CreateUserBody, type Role } from '../shared/schemas/accounts.js'
import type { SeasonReport } from '../shared/schemas/reports.js'
import { BookingBody, CallBody, CreateSeriesBody, type Slot } from '../shared/schemas/slots.js'
import { DEMO_CPTS, DEMO_DOMAIN, DEMO_FINESS, DEMO_PASSWORD, DEMO_STAFF, DEMO_ZONE, SEASON, demoPractitioners, type CptsKey, type DemoPractitioner } from './demo-data.js'
import { LIVE_DAYS, liveBooking, livePlan, secondPlacePlan } from './demo-live.js'
import { seasonCalls, seasonCsv, seasonSlots } from './demo-season.js'
import { openWaitingList, seasonWaitingList } from './demo-waiting-list.js'
import { WaitingList } from '../server/features/waiting-list/waiting-list-service.js'

export { DEMO_PASSWORD, SEASON } from './demo-data.js'

export interface DemoOptions {
  /** Settings as the server reads them (`loadConfig`): the database is `config.databaseUrl`, else `config.dbFile`. */
  config: Config
  /** Now: the system clock from the command line, a fixed instant in tests. */
  clock: Clock
  /** Progress lines (default: none). */
  log?: (line: string) => void
}

export interface DemoAccount { role: Role, email: string, password: string, page: string, name: string }

export interface DemoResult {
  /** created: a fresh demo; updated: a demo was there, something was added; unchanged: nothing to do. */
  status: 'created' | 'updated' | 'unchanged'
  cpts: Array<{ id: string, name: string, gps: number, psychiatrists: number }>
  /** The accounts whose sign-in is printed (all with DEMO_PASSWORD unless changed since). */
  accounts: DemoAccount[]
  /** Admin accounts that were there before the demo (their password is not the demo's). */
  otherAdmins: string[]
  added: { accounts: number, places: number, seasonSlots: number, seasonBookings: number, calls: number, waitingRequests: number, upcomingSlots: number, upcomingBookings: number, openRequests: number }
  /**
   * The inputs of the SAS certification kit (IdNat_PS, `8` + RPPS): `practitionerId`, a GP with
   * one place and one CPTS; `practitionerId2`, a GP with two places, member of both CPTS, whose
   * slots at the second place are offered to both.
   */
  kit: { practitionerId: string, practitionerId2: string }
  season: { slots: number, report: SeasonReport['totals'], lastWeekFillRate: number | null, offeredPerDay: number }
  upcoming: { from: string, to: string, free: number, booked: number }
}

/** The database holds something else than a demo: nothing was written. */
export class DemoRefusedError extends Error {
  constructor (what: string) {
    super(
      `Cette base contient déjà des données (${what}) : la démo n'est installée que dans une base vide, pour ne jamais mêler des patients fictifs aux vrais.\n` +
      `This database already holds data (${what}): the demo only goes into an empty database, so that fictional patients never mix with real ones.\n` +
      'Use another folder / utilisez un autre dossier:  DATA_DIR=./demo-data npm run demo  then  DATA_DIR=./demo-data npm start'
    )
    this.name = 'DemoRefusedError'
  }
}

const SYSTEM = { id: null, ip: null }

async function count (q: { execute: () => Promise<Array<{ n: number | string | bigint }>> }): Promise<number> {
  const rows = await q.execute()
  return Number(rows[0]?.n ?? 0)
}

/**
 * Whether the demo may write here: yes when it is already there (its accounts exist), or when
 * the database is empty but for the bootstrap admin; otherwise DemoRefusedError.
 */
async function checkDatabase (db: Db): Promise<{ demo: boolean, admins: string[] }> {
  const demoUsers = await count(db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('email', 'like', `%@${DEMO_DOMAIN}`))
  const admins = (await db.selectFrom('users').select('email').where('role', '=', 'admin').where('email', 'not like', `%@${DEMO_DOMAIN}`).execute()).map((u) => u.email)
  if (demoUsers > 0) return { demo: true, admins }
  const others = await count(db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '!=', 'admin'))
  const what: string[] = []
  if (others > 0 || admins.length > 1) what.push(`${others + admins.length} accounts`)
  for (const table of ['cpts', 'slots', 'calls'] as const) {
    const n = await count(db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')))
    if (n > 0) what.push(`${n} ${table === 'cpts' ? 'CPTS' : table}`)
  }
  if (what.length > 0) throw new DemoRefusedError(what.join(', '))
  return { demo: false, admins }
}

async function ensureCpts (db: Db, name: string, finess: string, adminId: string, now: Date): Promise<{ id: string, created: boolean }> {
  const found = await db.selectFrom('cpts').select('id').where('name', '=', name).executeTakeFirst()
  if (found !== undefined) return { id: found.id, created: false }
  // What POST /api/cpts does: the CPTS and its audit entry in one transaction.
  const cpts = await createCpts(db, { id: adminId, role: 'admin', ip: null }, CreateCptsBody.parse({ name, timezone: DEMO_ZONE, finess }), now)
  return { id: cpts.id, created: true }
}

async function ensureUser (db: Db, input: unknown, actor: { id: string | null, ip: null }, now: Date): Promise<{ id: string, created: boolean }> {
  const body = CreateUserBody.parse(input)
  const found = await db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst()
  if (found !== undefined) return { id: found.id, created: false }
  const user = await createUser(db, body, actor, now)
  return { id: user.id, created: true }
}

/**
 * The second place of a practitioner with one, and their membership of that place's CPTS,
 * through the places service (what the admin's /admin does): made unless there (the place
 * looked up by label).
 */
async function ensureSecondPlace (db: Db, practitionerId: string, p: DemoPractitioner, homeCptsId: string, cptsId: string, actor: Actor, now: Date): Promise<{ id: string, created: boolean }> {
  const place = p.secondPlace!
  const member = await db.selectFrom('cpts_memberships').select('cpts_id')
    .where('practitioner_id', '=', practitionerId).where('cpts_id', '=', cptsId).executeTakeFirst()
  if (member === undefined) await setMemberships(db, practitionerId, MembershipsBody.parse({ cptsIds: [homeCptsId, cptsId], homeCptsId }), actor, now)
  const found = (await listPlacesOf(db, practitionerId)).find((x) => x.label === place.label)
  if (found !== undefined) return { id: found.id, created: false }
  const made = await createPlace(db, practitionerId, CreatePlaceBody.parse({ label: place.label, address: place.address, postalCode: place.postalCode, commune: place.commune }), actor, now)
  return { id: made.id, created: true }
}

/** Builds (or completes) the demo in the database of `config`; see the file's comment. */
export async function buildDemo (opts: DemoOptions): Promise<DemoResult> {
  const log = opts.log ?? ((): void => {})
  const db = openDatabase(opts.config)
  try {
    return await build(db, opts, log)
  } finally {
    await db.destroy()
  }
}

async function build (db: Db, opts: DemoOptions, log: (line: string) => void): Promise<DemoResult> {
  const { config, clock } = opts
  await migrateToLatest(db)
  const before = await checkDatabase(db)
  const now = clock.now()
  const added = { accounts: 0, places: 0, seasonSlots: 0, seasonBookings: 0, calls: 0, waitingRequests: 0, upcomingSlots: 0, upcomingBookings: 0, openRequests: 0 }

  // Accounts: the admin first (its e-mail marks the database as a demo), then the territory.
  log(before.demo ? 'Demo found: checking that nothing is missing…' : 'Creating the demo territory and accounts…')
  const staffIds: Record<string, string> = {}
  const accounts: DemoAccount[] = []
  const adminSpec = DEMO_STAFF.find((s) => s.role === 'admin')!
  const admin = await ensureUser(db, { email: adminSpec.email, name: adminSpec.name, password: DEMO_PASSWORD, role: 'admin' }, SYSTEM, now)
  if (admin.created) added.accounts++
  const byAdmin = { id: admin.id, ip: null }
  const cptsIds = {} as Record<CptsKey, string>
  for (const key of ['lumiere', 'monts'] as const) cptsIds[key] = (await ensureCpts(db, DEMO_CPTS[key], DEMO_FINESS[key], admin.id, now)).id
  for (const s of DEMO_STAFF) {
    const u = s.role === 'admin' ? admin : await ensureUser(db, { email: s.email, name: s.name, password: DEMO_PASSWORD, role: s.role, ...(s.sasId !== undefined ? { sasId: s.sasId } : {}) }, byAdmin, now)
    if (u.created && s.role !== 'admin') added.accounts++
    staffIds[s.key] = u.id
    accounts.push({ role: s.role, email: s.email, password: DEMO_PASSWORD, page: s.page, name: s.name })
  }
  const practitioners = demoPractitioners()
  const practitionerIds = new Map<string, string>()
  for (const p of practitioners) {
    const u = await ensureUser(db, {
      email: p.email,
      name: p.name,
      // Only the two practitioners whose sign-in is printed can be signed in as.
      password: p.login ? DEMO_PASSWORD : randomBytes(18).toString('base64url'),
      role: 'practitioner',
      cptsId: cptsIds[p.cpts],
      practitioner: { rpps: p.rpps, profession: p.profession, address: p.address, postalCode: p.postalCode, commune: p.commune, phone: p.phone }
    }, byAdmin, now)
    if (u.created) added.accounts++
    practitionerIds.set(p.rpps, u.id)
    if (p.login) accounts.push({ role: 'practitioner', email: p.email, password: DEMO_PASSWORD, page: '/praticien', name: `${p.name} (${p.profession === 'gp' ? 'généraliste' : 'psychiatre'})` })
  }
  // The GP of the kit's practitioner_id2: a second place in the other CPTS's territory, member of both.
  const secondPlaces = new Map<string, { placeId: string, cptsId: string }>()
  for (const p of practitioners) {
    if (p.secondPlace === undefined) continue
    const cptsId = cptsIds[p.secondPlace.cpts]
    const place = await ensureSecondPlace(db, practitionerIds.get(p.rpps)!, p, cptsIds[p.cpts], cptsId, { id: admin.id, role: 'admin', ip: null }, now)
    if (place.created) added.places++
    secondPlaces.set(p.rpps, { placeId: place.id, cptsId })
  }
  const order: Role[] = ['admin', 'regulator', 'board', 'practitioner']
  accounts.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role))
  const ids = [...practitionerIds.values()]

  // The summer 2020 season, through the season importer (all lines or none).
  const slots = seasonSlots(practitioners, DEMO_ZONE)
  const inSeason = await count(db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('practitioner_id', 'in', ids).where('local_date', '>=', SEASON.from).where('local_date', '<=', SEASON.to))
  if (inSeason === 0) {
    log(`Importing the summer 2020 season (${slots.length} slots)…`)
    const res = await importSeason(db, { id: admin.id, role: 'admin', ip: null }, seasonCsv(slots), now)
    added.seasonSlots = res.slots
    added.seasonBookings = res.bookings
  }

  // The season's calls without a booking (not part of the CSV), as the regulators logged them.
  const cptsOf = new Map<string, CptsKey>()
  const communes: Record<CptsKey, string[]> = { lumiere: [], monts: [] }
  for (const p of practitioners) {
    const m = matchCommune(p.postalCode, p.commune)
    if (m.ok && !communes[p.cpts].includes(m.commune.code)) communes[p.cpts].push(m.commune.code)
    cptsOf.set(p.rpps, p.cpts)
  }
  const seasonStart = DateTime.fromISO(SEASON.from, { zone: DEMO_ZONE }).toUTC().toISO()!
  const seasonEnd = DateTime.fromISO(SEASON.to, { zone: DEMO_ZONE }).plus({ days: 1 }).toUTC().toISO()!
  const callsThere = await count(db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cpts_id', 'in', Object.values(cptsIds)).where('at', '>=', seasonStart).where('at', '<', seasonEnd))
  if (callsThere === 0) {
    const calls = seasonCalls(DEMO_ZONE, communes)
    log(`Logging the season's ${calls.length} calls without a booking…`)
    await db.transaction().execute(async (trx) => {
      for (const c of calls) {
        const actor: Actor = { id: staffIds[c.regulator]!, role: 'regulator', ip: null }
        await logCall(trx, actor, CallBody.parse({ outcome: c.outcome, kind: c.kind, hasTreatingGp: c.hasTreatingGp, cptsId: cptsIds[c.cpts], communeCode: c.communeCode }), c.at)
      }
    })
    added.calls = calls.length
  }
  // The season's waiting list (issue 25): the requests those no-slot calls left, and how they ended.
  const requestsThere = await count(db.selectFrom('waiting_requests').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cpts_id', 'in', Object.values(cptsIds)).where('created_at', '>=', seasonStart).where('created_at', '<', seasonEnd))
  if (requestsThere === 0) {
    added.waitingRequests = await seasonWaitingList(db, Object.values(cptsIds), seasonStart, seasonEnd, DEMO_ZONE)
    log(`Putting ${added.waitingRequests} of those calls on the season's waiting list…`)
  }

  // The coming days: each practitioner publishes, the regulators book a few patients.
  // Nothing subscribes to its commits (no server runs yet): the events stay in the log. A page's
  // socket starts from a snapshot, and a delivery channel switched on for the first time starts
  // after them (delivery-worker.ts), so the demo's bookings send no mail.
  const unitOfWork = new UnitOfWork({ db, clock })
  const publishing = new Publishing({ db, clock, unitOfWork, limits: { ...DEFAULT_LIMITS, maxDaysAhead: config.publishMaxDaysAhead } })
  const bookings = new Bookings({ db, clock, unitOfWork })
  const today = DateTime.fromJSDate(now, { zone: DEMO_ZONE }).startOf('day')
  const created: Slot[] = []
  const psychiatrists = practitioners.filter((p) => p.profession === 'psychiatrist')
  for (let d = 0; d < LIVE_DAYS; d++) {
    const day = today.plus({ days: d })
    for (const p of practitioners) {
      const actor: Actor = { id: practitionerIds.get(p.rpps)!, role: 'practitioner', ip: null }
      for (const plan of livePlan(p, psychiatrists.indexOf(p), day.toISODate()!, day.weekday)) {
        const res = await publishing.publishSeries(actor, CreateSeriesBody.parse(plan))
        created.push(...res.created)
      }
      // At the second place, offered to both CPTS (the home one stays the slots' own).
      const second = secondPlaces.get(p.rpps)
      const plan = secondPlacePlan(p, day.toISODate()!, day.weekday)
      if (second !== undefined && plan !== null) {
        const res = await publishing.publishSeries(actor, CreateSeriesBody.parse({ ...plan, placeId: second.placeId, cptsIds: [cptsIds[p.cpts], second.cptsId] }))
        created.push(...res.created)
      }
    }
  }
  added.upcomingSlots = created.length
  if (created.length > 0) log(`Published ${created.length} slots for the coming ${LIVE_DAYS} days…`)
  const regulators = DEMO_STAFF.filter((s) => s.role === 'regulator')
  const soonest = now.getTime() + 60 * 60_000
  const latest = now.getTime() + 3 * 86_400_000
  for (const s of created) {
    const t = new Date(s.start).getTime()
    if (t < soonest || t > latest) continue
    const b = liveBooking(`${s.practitioner.rpps}:${s.start}`, s.kind)
    if (b === null) continue
    const reg = regulators[added.upcomingBookings % regulators.length]!
    const actor: Actor = { id: staffIds[reg.key]!, role: 'regulator', ip: null }
    const { booking } = await bookings.book(actor, s.id, BookingBody.parse({ ...b, idempotencyKey: `demo:${s.id}` }))
    await logCall(db, actor, CallBody.parse({ outcome: 'booked', kind: s.kind, hasTreatingGp: b.hasTreatingGp, bookingId: booking.id, cptsId: s.cptsId, communeCode: s.place.communeCode }), clock.now())
    added.upcomingBookings++
  }
  // Today's open waiting list (issue 25): /regulation shows requests and the slots that match them.
  const waitingList = new WaitingList({ db, clock, unitOfWork, bookings, claimSeconds: config.holdSeconds })
  added.openRequests = await openWaitingList(db, waitingList, regulators.map((r) => staffIds[r.key]!), cptsIds, today.toISODate()!, now)
  if (added.openRequests > 0) log(`Putting ${added.openRequests} of today's calls on the waiting list…`)

  // What the board will see, computed by the report behind GET /api/reports/season.
  const report = await seasonReport(db, { from: SEASON.from, to: SEASON.to }, { euros: config.majorationEuros, weeklyCap: config.majorationWeeklyCap })
  const days = report.byDay.length
  const nowIso = now.toISOString()
  const upcoming = async (status: 'free' | 'booked'): Promise<number> => await count(db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('practitioner_id', 'in', ids).where('status', '=', status).where('start_at', '>', nowIso))
  const cpts = (['lumiere', 'monts'] as const).map((key) => ({
    id: cptsIds[key],
    name: DEMO_CPTS[key],
    gps: practitioners.filter((p) => p.cpts === key && p.profession === 'gp').length,
    psychiatrists: practitioners.filter((p) => p.cpts === key && p.profession === 'psychiatrist').length
  }))
  const anything = Object.values(added).some((n) => n > 0)
  const loginGp = practitioners.find((p) => p.login && p.profession === 'gp')!
  const twoPlaces = practitioners.find((p) => p.secondPlace !== undefined)!
  return {
    status: !before.demo ? 'created' : anything ? 'updated' : 'unchanged',
    cpts,
    accounts,
    otherAdmins: before.admins,
    added,
    season: {
      slots: await count(db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('practitioner_id', 'in', ids).where('local_date', '>=', SEASON.from).where('local_date', '<=', SEASON.to)),
      report: report.totals,
      lastWeekFillRate: report.byWeek.find((w) => w.week === SEASON.lastWeek)?.fillRate ?? null,
      offeredPerDay: days > 0 ? report.totals.offered / days : 0
    },
    upcoming: { from: today.toISODate()!, to: today.plus({ days: LIVE_DAYS - 1 }).toISODate()!, free: await upcoming('free'), booked: await upcoming('booked') },
    kit: { practitionerId: idnpsOfRpps(loginGp.rpps), practitionerId2: idnpsOfRpps(twoPlaces.rpps) }
  }
}

function percent (rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)} %`
}

/**
 * Where the server of these settings answers, for the printed links: PUBLIC_URL when set, else
 * HOST and PORT as `npm start` will listen on them (a wildcard HOST as 127.0.0.1; https with TLS).
 */
export function demoBaseUrl (config: Pick<Config, 'host' | 'port' | 'publicUrl' | 'publicUrlSet' | 'tlsCert'>): string {
  if (config.publicUrlSet) return config.publicUrl
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host
  return `${config.tlsCert === null ? 'http' : 'https'}://${host}:${config.port}`
}

/** The lines printed at the end of `npm run demo`. */
export function summaryLines (r: DemoResult, config: Config): string[] {
  const base = demoBaseUrl(config)
  const t = r.season.report
  const head = {
    created: 'Démo prête / demo ready',
    updated: 'Démo complétée / demo completed (it was there already; only what was missing was added)',
    unchanged: 'La démo est déjà en place / the demo is already there: nothing added, nothing duplicated'
  }[r.status]
  const lines = [
    '',
    `${head} — database ${describeDatabase(config)}`,
    '',
    'Territory (Europe/Paris):',
    ...r.cpts.map((c) => `  ${c.name.padEnd(24)} ${String(c.gps).padStart(2)} GPs, ${c.psychiatrists} psychiatrist${c.psychiatrists > 1 ? 's' : ''}`),
    '',
    `Summer 2020 season (${SEASON.from} → ${SEASON.to}), imported through the season importer:` +
      (r.added.seasonSlots > 0 ? ` ${r.added.seasonSlots} slots, ${r.added.seasonBookings} bookings` : ' (already there)'),
    `  slots offered      ${t.offered} (${r.season.offeredPerDay.toFixed(1)} a day), ${t.withdrawn} withdrawn`,
    `  fill rate          ${percent(t.fillRate)} overall, ${percent(r.season.lastWeekFillRate)} in the last week (${SEASON.lastWeek})`,
    `  booked             ${t.booked}: ${t.honored} honored, ${t.noShow} no-shows (${percent(t.noShowRate)}), ${percent(t.withoutTreatingGpShare)} without a treating GP`,
    `  unmet demand       ${t.unmetDemand} calls found no slot`,
    `  majoration         ${t.majorationEuros} €`,
    '',
    `Coming days (${r.upcoming.from} → ${r.upcoming.to}): ${r.upcoming.free} open slots, ${r.upcoming.booked} already booked` +
      (r.added.upcomingSlots > 0 ? ` (${r.added.upcomingSlots} published now)` : ''),
    '',
    'SAS certification kit inputs (IdNat_PS):',
    `  practitioner_id    ${r.kit.practitionerId}  (one place, one CPTS)`,
    `  practitioner_id2   ${r.kit.practitionerId2}  (two places, member of both CPTS; slots at the second place offered to both)`,
    '',
    'Sign in at ' + base + '/connexion:'
  ]
  const rows = [['role', 'e-mail', 'password', 'page'], ...r.accounts.map((a) => [a.role, a.email, a.password, base + a.page])]
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)))
  for (const [i, row] of rows.entries()) {
    lines.push('  ' + row.map((cell, j) => j < 3 ? cell.padEnd(widths[j]!) : cell).join('  '))
    if (i === 0) lines.push('  ' + widths.map((w) => '-'.repeat(w)).join('  ') + '  ----')
  }
  if (r.otherAdmins.length > 0) lines.push(`  (the admin account${r.otherAdmins.length > 1 ? 's' : ''} ${r.otherAdmins.join(', ')} created before the demo keep${r.otherAdmins.length > 1 ? '' : 's'} ${r.otherAdmins.length > 1 ? 'their' : 'its'} own password)`)
  lines.push('  The other practitioners have random passwords: the demo does not sign in as them.', '',
    `Now run: ${config.port === 3000 ? '' : `PORT=${config.port} `}npm start`,
    '  (these links follow PORT, HOST and PUBLIC_URL as this command saw them: start the server with the same)', '')
  return lines
}
