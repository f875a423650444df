import t from 'tap'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { bootstrapAdmin } from '../server/bootstrap.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { buildDemo, DemoRefusedError, SEASON, summaryLines } from '../scripts/demo-build.js'
import { signIn } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { bearerToken, countRows } from './helpers/fixtures.js'
import { validateR4 } from './helpers/fhir-validate.js'

/** `npm run demo`: what someone who runs it and then opens the pages would notice. */
const NOW = '2026-06-01T08:00:00.000Z' // a Monday, 10:00 in Paris
const TABLES = ['cpts', 'users', 'practitioners', 'slots', 'bookings', 'calls', 'waiting_requests', 'events', 'audit_log'] as const

t.test('the demo: accounts, the 2020 season, the coming days; a second run adds nothing', async (t) => {
  const config = loadConfig({ ...(await testStorage(t, 'creneaux-demo-')).env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000' })
  const clock = new ManualClock(NOW)
  // A first `npm start` may have created the bootstrap admin already: the demo goes in anyway.
  const db0 = openDatabase(config)
  await migrateToLatest(db0)
  await bootstrapAdmin(db0, { adminEmail: 'admin@localhost', adminPassword: 'bootstrap-password' }, clock.now())
  await db0.destroy()

  const first = await buildDemo({ config, clock })
  t.equal(first.status, 'created')
  t.same(first.otherAdmins, ['admin@localhost'])
  t.same(first.cpts.map((c) => [c.name, c.gps, c.psychiatrists]), [['CPTS Côte de Lumière', 16, 1], ['CPTS Pays de Monts', 9, 1]])
  t.same(first.accounts.map((a) => a.role).sort(), ['admin', 'board', 'practitioner', 'practitioner', 'regulator', 'regulator'])
  t.match(summaryLines(first, config).join('\n'), /regulation1@demo\.creneaux\s+demo-creneaux-2020\s+http:\/\/127\.0\.0\.1:3000\/regulation/)
  // The links follow the settings the command saw (issue 27, 12): PORT, HOST, PUBLIC_URL.
  const on4123 = summaryLines(first, { ...config, port: 4123 }).join('\n')
  t.match(on4123, /http:\/\/127\.0\.0\.1:4123\/regulation/, 'PORT')
  t.notMatch(on4123, /:3000/, 'no link on 3000 when PORT says otherwise')
  t.match(on4123, /Now run: PORT=4123 npm start/)
  t.match(summaryLines(first, { ...config, host: '0.0.0.0', port: 8080 }).join('\n'), /http:\/\/127\.0\.0\.1:8080\/bilan/, 'a wildcard HOST: this machine')
  t.match(summaryLines(first, { ...config, publicUrl: 'https://creneaux.example.fr', publicUrlSet: true }).join('\n'), /https:\/\/creneaux\.example\.fr\/admin/, 'PUBLIC_URL')

  const db = openDatabase(config)
  const app = await buildApp({ config, db, clock })
  await app.ready()
  t.teardown(async () => { await app.close(); await db.destroy() })

  // Every printed account signs in with the printed password, in the printed role.
  const cookies: Record<string, string> = {}
  for (const a of first.accounts) {
    const cookie = await signIn(app, a.email, a.password)
    const me = (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json()
    t.equal(me.user.role, a.role, a.email)
    cookies[a.email] = cookie
  }
  const board = cookies['bureau@demo.creneaux']!
  const regulator = cookies['regulation1@demo.creneaux']!
  const gp = cookies['generaliste@demo.creneaux']!

  // The season's waiting list (issue 25): the board's figures are not empty.
  const wl = (await app.inject({ method: 'GET', url: `/api/reports/waiting-list?from=${SEASON.from}&to=${SEASON.to}`, headers: { cookie: board } })).json()
  t.equal(first.added.waitingRequests, wl.totals.made, 'the requests added are the board’s figures')
  t.ok(wl.totals.recovered > 0 && wl.totals.expired > 0 && wl.totals.withdrawn > 0, `${JSON.stringify(wl.totals)}: recovered, expired and withdrawn requests`)
  t.ok(wl.unmetDemand.after < wl.unmetDemand.before, 'the list recovers part of the unmet demand')
  t.ok(wl.wait.median !== null)

  // The board's review of the season, as /bilan asks for it.
  const res = await app.inject({ method: 'GET', url: `/api/reports/season?from=${SEASON.from}&to=${SEASON.to}`, headers: { cookie: board } })
  t.equal(res.statusCode, 200, 'HTTP 200', { body: res.body })
  const report = res.json()
  const totals = report.totals
  t.ok(totals.fillRate >= 0.57 && totals.fillRate <= 0.61, `overall fill rate ${totals.fillRate} is about 59%`)
  t.equal(report.byWeek.find((w: any) => w.week === '2020-W37')?.fillRate, 1, 'every slot of the last week was taken')
  const weeks = report.byWeek.map((w: any) => w.fillRate)
  t.ok(weeks[0] < 0.45 && weeks.every((r: number, i: number) => i === 0 || r >= weeks[i - 1]), `the fill rate rises week after week: ${weeks.join(', ')}`)
  t.equal(report.byDay.length, 60)
  const perDay = totals.offered / 60
  t.ok(perDay >= 18 && perDay <= 22, `${perDay} slots offered a day`)
  t.ok(totals.noShow > 0 && totals.noShowRate >= 0.04 && totals.noShowRate <= 0.09, `no-shows: ${totals.noShow} (${totals.noShowRate})`)
  t.ok(totals.withdrawn > 0, 'some slots were withdrawn')
  t.ok(totals.unmetDemand > 0, 'some calls found no slot')
  t.ok(totals.withoutTreatingGpShare >= 0.2 && totals.withoutTreatingGpShare <= 0.4, `without a treating GP: ${totals.withoutTreatingGpShare}`)
  t.ok(totals.majorationEuros > 0)
  t.same(report.byCpts.map((c: any) => c.name).sort(), ['CPTS Côte de Lumière', 'CPTS Pays de Monts'])
  const psy = report.byKind.find((k: any) => k.kind === 'psy')
  t.ok(psy.offered > 0 && psy.booked > 0, 'psychiatrists offered slots and some were booked')
  t.same(first.season.report, totals, 'the summary prints the figures the board sees')

  // The regulators' board is alive: open slots from now on, in both CPTS, none in the past.
  const free = (await app.inject({ method: 'GET', url: '/api/slots?status=free', headers: { cookie: regulator } })).json()
  t.ok(free.length > 100, `${free.length} open slots in the coming days`)
  t.ok(free.every((s: any) => new Date(s.start).getTime() >= new Date(NOW).getTime()), 'no open slot in the past')
  t.equal(new Set(free.map((s: any) => s.cptsId)).size, 2)
  t.ok(free.some((s: any) => s.kind === 'psy'), 'psy slots too')
  t.match(free[0].start, /\+02:00$/, 'answered in Paris time')
  const upcoming = (await app.inject({ method: 'GET', url: '/api/bookings', headers: { cookie: regulator } })).json()
  t.ok(upcoming.length > 0 && upcoming.every((b: any) => b.patient.lastName === 'Démo'), 'a few patients ("Démo") are booked already')
  const own = (await app.inject({ method: 'GET', url: '/api/slots', headers: { cookie: gp } })).json()
  t.ok(own.length > 0, 'the GP sees slots on /praticien')

  // The SAS platform's CPTS search (INT_R04) finds the coming slots as CPTS slots: the demo's CPTS have a FINESS.
  const token = await bearerToken(app, regulator, 'sas demo')
  const window = `start=ge${new Date(NOW).toISOString()}&start=le${new Date(Date.parse(NOW) + 14 * 86_400_000).toISOString()}`
  const fhir = await app.inject({
    method: 'GET',
    url: `/fhir/Slot?${window}&status=free&_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization`,
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' }
  })
  t.equal(fhir.statusCode, 200, fhir.body.slice(0, 300))
  const bundle = fhir.json()
  t.ok(bundle.total > 100, `${bundle.total as number} free slots for the SAS platform`)
  const organizations = bundle.entry.filter((e: any) => e.resource.resourceType === 'Organization')
  t.same(organizations.map((e: any) => e.resource.identifier[0].value).sort(), ['1850099901', '1850099902'], 'both CPTS, named by 1 + FINESS')
  t.same(validateR4(bundle), [], 'the Bundle is valid FHIR R4')

  // A second run finds the demo and leaves everything as it was.
  const before = await countRows(db, TABLES)
  const second = await buildDemo({ config, clock })
  t.equal(second.status, 'unchanged')
  t.same(second.added, { accounts: 0, seasonSlots: 0, seasonBookings: 0, calls: 0, waitingRequests: 0, upcomingSlots: 0, upcomingBookings: 0 })
  t.same(await countRows(db, TABLES), before, 'nothing duplicated')
  t.same(second.season.report, first.season.report)
  t.match(summaryLines(second, config).join('\n'), /already there/)
})

t.test('the demo refuses a database that holds other data, and writes nothing', async (t) => {
  const config = loadConfig((await testStorage(t, 'creneaux-demo-')).env)
  const clock = new ManualClock(NOW)
  const db = openDatabase(config)
  t.teardown(async () => { await db.destroy() })
  await migrateToLatest(db)
  await db.insertInto('cpts').values({ id: 'real', name: 'CPTS du Marais', timezone: 'Europe/Paris', created_at: NOW }).execute()
  const before = await countRows(db, TABLES)
  await t.rejects(buildDemo({ config, clock }), DemoRefusedError)
  await t.rejects(buildDemo({ config, clock }), /déjà des données.*\n.*already holds data \(1 CPTS\)/)
  t.same(await countRows(db, TABLES), before)
})
