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
const TABLES = ['cpts', 'users', 'practitioners', 'practitioner_places', 'cpts_memberships', 'slots', 'slot_offers', 'bookings', 'calls', 'waiting_requests', 'events', 'audit_log'] as const

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

  // Today's open waiting list: /regulation shows requests, and the psychiatric one has a slot to offer.
  t.equal(first.added.openRequests, 3)
  const open = (await app.inject({ method: 'GET', url: '/api/waiting-list', headers: { cookie: regulator } })).json()
  t.same(open.requests.map((r: any) => [r.place.commune, r.kind, r.modes]).sort(), [
    ['Challans', 'psy', ['office', 'video']], ['Saint-Gilles-Croix-de-Vie', 'snp', ['office', 'video']], ['Saint-Jean-de-Monts', 'snp', ['home']]
  ].sort())
  t.ok(open.requests.find((r: any) => r.kind === 'psy').matches.length > 0, 'a psychiatric slot of the coming days matches the psy request')
  t.notMatch(JSON.stringify(open), /Démo|06 00 00 01/, 'the list carries no patient data')

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

  // The SAS kit's practitioner_id2 (two places, two CPTS), printed with practitioner_id.
  const summary = summaryLines(first, config).join('\n')
  t.match(summary, new RegExp(`practitioner_id +${first.kit.practitionerId} `), 'the kit\'s practitioner_id is printed')
  t.match(summary, new RegExp(`practitioner_id2 +${first.kit.practitionerId2} `), 'and its practitioner_id2')
  const idOf = async (idnps: string): Promise<string> => (await db.selectFrom('practitioners').select('user_id')
    .where('rpps', '=', idnps.slice(1)).executeTakeFirstOrThrow()).user_id
  const [one, two] = [await idOf(first.kit.practitionerId), await idOf(first.kit.practitionerId2)]
  const cptsIdOf = new Map(first.cpts.map((c) => [c.name, c.id]))
  const lumiere = cptsIdOf.get('CPTS Côte de Lumière')!
  const monts = cptsIdOf.get('CPTS Pays de Monts')!
  const placesOf = async (id: string) => await db.selectFrom('practitioner_places').select(['id', 'commune', 'is_home'])
    .where('practitioner_id', '=', id).where('archived_at', 'is', null).orderBy('is_home', 'desc').execute()
  const membershipsOf = async (id: string) => (await db.selectFrom('cpts_memberships').select('cpts_id')
    .where('practitioner_id', '=', id).execute()).map((m) => m.cpts_id).sort()
  t.same((await placesOf(one)).map((p) => p.commune), ['Saint-Gilles-Croix-de-Vie'], 'practitioner_id: one place')
  t.same(await membershipsOf(one), [lumiere], 'and one CPTS')
  const places = await placesOf(two)
  t.same(places.map((p) => p.commune), ['Le Fenouiller', 'Soullans'], 'practitioner_id2: a home place in Côte de Lumière, a second one in a Pays de Monts commune')
  t.same(await membershipsOf(two), [lumiere, monts].sort(), 'member of both CPTS')
  // The kit searches from now to 72 hours ahead at most.
  const in72h = new Date(Date.parse(NOW) + 72 * 3_600_000).toISOString()
  const freeSoon = await db.selectFrom('slots').leftJoin('slot_offers', 'slot_offers.slot_id', 'slots.id')
    .select(['slots.id', 'slots.place_id', 'slots.cpts_id', 'slot_offers.cpts_id as extra'])
    .where('slots.practitioner_id', '=', two).where('slots.status', '=', 'free')
    .where('slots.start_at', '>=', new Date(NOW).toISOString()).where('slots.start_at', '<=', in72h).execute()
  for (const place of places) t.ok(freeSoon.some((s) => s.place_id === place.id), `free slots in the next 72 hours at ${place.commune}`)
  t.ok(freeSoon.every((s) => s.cpts_id === lumiere), 'every slot of theirs is offered to their home CPTS')
  t.ok(freeSoon.some((s) => s.extra === monts && s.place_id === places[1]!.id), 'some, at the second place, to Pays de Monts too')
  t.ok(freeSoon.every((s) => s.extra === null || s.place_id === places[1]!.id), 'only those')
  t.same(await db.selectFrom('slots').select('id').where('place_id', 'is', null).execute(), [], 'every slot has a place')

  // What the kit's groups count on those two inputs, in its window (now → end of the day after tomorrow, Paris).
  const kitSearch = async (idnps: string, cpts: boolean): Promise<any> => {
    const res = await app.inject({
      method: 'GET',
      url: '/fhir/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor' +
        (cpts ? '&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization' : '') +
        `&start=ge${encodeURIComponent('2026-06-01T10:00:00.000+02:00')}&start=le${encodeURIComponent('2026-06-03T23:59:59.000+02:00')}` +
        `&schedule.actor:Practitioner.identifier=${encodeURIComponent(`urn:oid:1.2.250.1.71.4.2.1|${idnps}`)}&status=free`,
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' }
    })
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    return res.json()
  }
  const ofProfile = (b: any, suffix: string): any[] => b.entry.map((e: any) => e.resource).filter((r: any) => r.meta?.profile?.some((p: string) => p.endsWith(suffix)))
  const hsRefs = (slot: any): string[] => (slot.serviceType ?? []).flatMap((st: any) => (st.extension ?? []).map((x: any) => x.valueReference?.reference))
  for (const cpts of [false, true]) {
    const b = await kitSearch(first.kit.practitionerId2, cpts)
    t.same([ofProfile(b, 'FrPractitionerAgregateur').length, ofProfile(b, 'FrPractitionerRoleExerciceAgregateur').length, ofProfile(b, 'FrScheduleAgregateur').length], [1, 2, 2],
      `practitioner_id2, ${cpts ? 'CPTS' : 'PS'} option: one Practitioner, two PractitionerRoles and Schedules (multi_lieux_group)`)
    t.same(validateR4(b), [])
  }
  const two2 = await kitSearch(first.kit.practitionerId2, true)
  t.same([ofProfile(two2, 'healthcareservice-aggregator').length, ofProfile(two2, 'organization-aggregator').length], [2, 2], 'two HealthcareServices and Organizations (multi-CPTS groups)')
  t.ok(ofProfile(two2, 'sas-cpts-slot-aggregator').some((s) => new Set(hsRefs(s)).size === 2), 'a slot offered to both CPTS (single_slot_two_cpts)')
  t.equal(ofProfile(two2, 'FrSlotAgregateur').length, 0, 'no slot outside a CPTS')
  const one1 = await kitSearch(first.kit.practitionerId, true)
  t.equal(ofProfile(one1, 'FrPractitionerRoleExerciceAgregateur').length, 1, 'practitioner_id: one PractitionerRole (single_practitioner_single_location)')
  t.same([...new Set(ofProfile(one1, 'sas-cpts-slot-aggregator').flatMap(hsRefs))], [`HealthcareService/${lumiere}`], 'its slots offered to one CPTS (validate_ref_cpts)')

  // A second run finds the demo and leaves everything as it was.
  const before = await countRows(db, TABLES)
  const second = await buildDemo({ config, clock })
  t.equal(second.status, 'unchanged')
  t.same(second.added, { accounts: 0, places: 0, seasonSlots: 0, seasonBookings: 0, calls: 0, waitingRequests: 0, upcomingSlots: 0, upcomingBookings: 0, openRequests: 0 })
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
