// Issue 3: publishing through the API. Series across the DST changes of 2026 in Europe/Paris
// and in Indian/Reunion (no DST), skips, dry runs; one slot's checks, kinds and who publishes.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, signIn } from './helpers/build.js'
import { PASSWORD, countRows, practitionerProfile, territory } from './helpers/fixtures.js'
import { givePlace, joinCpts } from './helpers/places.js'

const SLOT_TABLES = ['slots', 'events', 'audit_log'] as const

interface Series {
  from: string, to: string, weekdays: number[], startTime: string, slotMinutes: number, count: number
  kind?: string, mode?: string, dryRun?: boolean, practitionerId?: string, skipHolidays?: boolean, placeId?: string, cptsIds?: string[]
}

async function series (app: FastifyInstance, cookie: string, body: Series) {
  return await app.inject({ method: 'POST', url: '/api/slots/series', headers: { cookie }, payload: { kind: 'snp', mode: 'office', ...body } })
}

async function post (app: FastifyInstance, cookie: string, payload: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie }, payload: { kind: 'snp', mode: 'office', ...payload } })
}

async function slotsOf (app: FastifyInstance, cookie: string, practitionerId: string): Promise<any[]> {
  const res = await app.inject({ method: 'GET', url: `/api/slots?practitionerId=${practitionerId}`, headers: { cookie } })
  if (res.statusCode !== 200) throw new Error(`GET /api/slots: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** A CPTS in La Réunion (UTC+4, no DST) with one GP in Saint-Denis. */
async function reunion (app: FastifyInstance, adminCookie: string): Promise<{ cptsId: string, id: string, cookie: string }> {
  const c = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: adminCookie }, payload: { name: 'CPTS Nord Réunion', timezone: 'Indian/Reunion' } })
  if (c.statusCode !== 201) throw new Error(`cpts: ${c.statusCode} ${c.body}`)
  const email = 'gp.reunion@cpts.test'
  const u = await app.inject({
    method: 'POST', url: '/api/users', headers: { cookie: adminCookie },
    payload: { email, name: 'Dr Payet', password: PASSWORD, role: 'practitioner', cptsId: c.json().id, practitioner: { ...practitionerProfile(40), postalCode: '97400', commune: 'Saint-Denis', phone: '0262 20 00 00' } }
  })
  if (u.statusCode !== 201) throw new Error(`user: ${u.statusCode} ${u.body}`)
  return { cptsId: c.json().id, id: u.json().user.id, cookie: await signIn(app, email, PASSWORD) }
}

const starts = (list: any[]): string[] => list.map((s) => s.start)

t.test('series across the spring DST change (2026-03-29)', async (t) => {
  const { app, db } = await build(t, {}, '2026-03-01T08:00:00.000Z')
  const terr = await territory(app)
  const gp = terr.users.gp
  const week: Series = { from: '2026-03-26', to: '2026-03-31', weekdays: [1, 2, 3, 4, 5], startTime: '12:00', slotMinutes: 15, count: 2 }
  const expected = [
    '2026-03-26T12:00:00+01:00', '2026-03-26T12:15:00+01:00', '2026-03-27T12:00:00+01:00', '2026-03-27T12:15:00+01:00',
    '2026-03-30T12:00:00+02:00', '2026-03-30T12:15:00+02:00', '2026-03-31T12:00:00+02:00', '2026-03-31T12:15:00+02:00'
  ]

  t.test('dry run: the preview, nothing written', async (t) => {
    const before = await countRows(db, SLOT_TABLES)
    const res = await series(app, gp.cookie, { ...week, dryRun: true })
    t.equal(res.statusCode, 200, 'HTTP 200', { body: res.body })
    const body = res.json()
    t.same(body.created, [])
    t.same(body.skipped, [])
    t.same(starts(body.preview), expected)
    t.equal(body.preview[4].end, '2026-03-30T12:15:00+02:00')
    t.same(await slotsOf(app, gp.cookie, gp.id), [], 'GET /api/slots shows none')
    t.same(await countRows(db, SLOT_TABLES), before, 'no slot, event or audit row')
  })

  t.test('created: wall-clock noon on both sides of the change', async (t) => {
    const res = await series(app, gp.cookie, week)
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    const body = res.json()
    t.same(starts(body.created), expected)
    t.same(body.created.map((s: any) => s.end).slice(3, 5), ['2026-03-27T12:30:00+01:00', '2026-03-30T12:15:00+02:00'])
    t.same(body.skipped, [])
    t.equal(body.preview, undefined)
    t.ok(body.created.every((s: any) => s.status === 'free' && s.kind === 'snp' && s.mode === 'office' && s.practitioner.id === gp.id && s.cptsId === terr.cpts[0]!.id))
    const rows = await db.selectFrom('slots').select(['start_at', 'end_at']).where('practitioner_id', '=', gp.id).orderBy('start_at').execute()
    t.same([rows[2]!.start_at, rows[4]!.start_at], ['2026-03-27T11:00:00.000Z', '2026-03-30T10:00:00.000Z'], 'stored in UTC')
    t.same(starts(await slotsOf(app, gp.cookie, gp.id)), expected, 'GET /api/slots answers with the zone offset')
  })

  t.test('the same series again: every slot skipped as overlap', async (t) => {
    const res = await series(app, gp.cookie, week)
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    t.same(res.json().created, [])
    t.same(res.json().skipped, expected.map((start) => ({ start, reason: 'overlap' })))
    const dry = await series(app, gp.cookie, { ...week, to: '2026-04-01', dryRun: true })
    t.same(dry.json().skipped.map((s: any) => s.reason), Array(8).fill('overlap'))
    t.same(starts(dry.json().preview), ['2026-04-01T12:00:00+02:00', '2026-04-01T12:15:00+02:00'], 'dry run previews only what is free')
    t.equal((await slotsOf(app, gp.cookie, gp.id)).length, 8)
  })

  t.test('a local time that does not exist on 2026-03-29 is skipped', async (t) => {
    const one = await series(app, gp.cookie, { from: '2026-03-29', to: '2026-03-29', weekdays: [7], startTime: '02:30', slotMinutes: 15, count: 1 })
    t.equal(one.statusCode, 201, 'HTTP 201', { body: one.body })
    t.same(one.json().created, [])
    t.same(one.json().skipped, [{ start: '2026-03-29T02:30', reason: 'nonexistent_local_time' }])

    const night = await series(app, gp.cookie, { from: '2026-03-22', to: '2026-03-29', weekdays: [7], startTime: '01:30', slotMinutes: 30, count: 4 })
    t.equal(night.statusCode, 201, 'HTTP 201', { body: night.body })
    t.same(starts(night.json().created), [
      '2026-03-22T01:30:00+01:00', '2026-03-22T02:00:00+01:00', '2026-03-22T02:30:00+01:00', '2026-03-22T03:00:00+01:00',
      '2026-03-29T01:30:00+01:00', '2026-03-29T03:00:00+02:00'
    ])
    t.equal(night.json().created[4].end, '2026-03-29T03:00:00+02:00', '01:30 lasts 30 real minutes: it ends at 03:00 summer time')
    t.same(night.json().skipped, [
      { start: '2026-03-29T02:00', reason: 'nonexistent_local_time' },
      { start: '2026-03-29T02:30', reason: 'nonexistent_local_time' }
    ])
  })

  t.test('skipped slots are listed in time order, whatever the reason', async (t) => {
    // 2026-03-22 01:30 and 02:00 exist already (above); 2026-03-29 02:00 does not exist.
    const res = await series(app, gp.cookie, { from: '2026-03-22', to: '2026-03-29', weekdays: [7], startTime: '02:00', slotMinutes: 15, count: 1, dryRun: true })
    t.equal(res.statusCode, 200, 'HTTP 200', { body: res.body })
    t.same(res.json().skipped, [
      { start: '2026-03-22T02:00:00+01:00', reason: 'overlap' },
      { start: '2026-03-29T02:00', reason: 'nonexistent_local_time' }
    ])
  })

  t.test('single slots against the series: SLOT_OVERLAP', async (t) => {
    const before = await countRows(db, SLOT_TABLES)
    for (const [start, end] of [['2026-03-30T12:00:00+02:00', '2026-03-30T12:15:00+02:00'], ['2026-03-30T10:10:00Z', '2026-03-30T10:25:00Z'], ['2026-03-30T11:00:00+02:00', '2026-03-30T13:00:00+02:00']]) {
      const res = await post(app, gp.cookie, { start, end })
      t.equal(res.statusCode, 409, `overlap from ${String(start)}`, { body: res.body })
      t.equal(res.json().code, 'SLOT_OVERLAP')
    }
    t.same(await countRows(db, SLOT_TABLES), before, 'nothing written')
    const adjacent = await post(app, gp.cookie, { start: '2026-03-30T12:30:00+02:00', end: '2026-03-30T12:45:00+02:00' })
    t.equal(adjacent.statusCode, 201, 'back to back is not an overlap')
    const other = await post(app, terr.users.gp2.cookie, { start: '2026-03-30T12:00:00+02:00', end: '2026-03-30T12:15:00+02:00' })
    t.equal(other.statusCode, 201, "another practitioner's slots do not count")
    t.equal((await app.inject({ method: 'DELETE', url: `/api/slots/${adjacent.json().id}`, headers: { cookie: gp.cookie } })).statusCode, 200)
    const again = await post(app, gp.cookie, { start: '2026-03-30T12:30:00+02:00', end: '2026-03-30T12:45:00+02:00' })
    t.equal(again.statusCode, 201, 'a withdrawn slot leaves its time free')
    const partial = await series(app, gp.cookie, { from: '2026-03-30', to: '2026-03-30', weekdays: [1], startTime: '11:45', slotMinutes: 15, count: 5 })
    t.same(starts(partial.json().created), ['2026-03-30T11:45:00+02:00', '2026-03-30T12:45:00+02:00'])
    t.same(partial.json().skipped, [
      { start: '2026-03-30T12:00:00+02:00', reason: 'overlap' }, { start: '2026-03-30T12:15:00+02:00', reason: 'overlap' },
      { start: '2026-03-30T12:30:00+02:00', reason: 'overlap' }
    ])
  })

  t.test('La Réunion: no DST, +04:00 all along, 02:30 exists', async (t) => {
    const r = await reunion(app, terr.adminCookie)
    const res = await series(app, r.cookie, week)
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    t.same(starts(res.json().created), [
      '2026-03-26T12:00:00+04:00', '2026-03-26T12:15:00+04:00', '2026-03-27T12:00:00+04:00', '2026-03-27T12:15:00+04:00',
      '2026-03-30T12:00:00+04:00', '2026-03-30T12:15:00+04:00', '2026-03-31T12:00:00+04:00', '2026-03-31T12:15:00+04:00'
    ])
    t.ok(res.json().created.every((s: any) => s.cptsId === r.cptsId && s.practitioner.postalCode === '97400' && s.practitioner.commune === 'Saint-Denis'))
    const night = await series(app, r.cookie, { from: '2026-03-29', to: '2026-03-29', weekdays: [7], startTime: '02:30', slotMinutes: 15, count: 1 })
    t.same(starts(night.json().created), ['2026-03-29T02:30:00+04:00'])
    t.same(night.json().skipped, [])
    const row = await db.selectFrom('slots').select('start_at').where('id', '=', night.json().created[0].id).executeTakeFirstOrThrow()
    t.equal(row.start_at, '2026-03-28T22:30:00.000Z')
    const single = await post(app, r.cookie, { start: '2026-03-30T09:00:00Z', end: '2026-03-30T09:15:00Z' })
    t.equal(single.statusCode, 201, 'HTTP 201', { body: single.body })
    t.same([single.json().start, single.json().end], ['2026-03-30T13:00:00+04:00', '2026-03-30T13:15:00+04:00'], 'an instant in Z is answered in the CPTS zone')
    const overlapping = await post(app, r.cookie, { start: '2026-03-30T08:00:00Z', end: '2026-03-30T08:15:00Z' })
    t.equal(overlapping.statusCode, 409, 'noon in Réunion overlaps the series')
    t.equal(overlapping.json().code, 'SLOT_OVERLAP')
  })
})

t.test('series across the autumn DST change (2026-10-25)', async (t) => {
  const { app } = await build(t, {}, '2026-10-01T08:00:00.000Z')
  const terr = await territory(app)
  const gp = terr.users.gp
  const week: Series = { from: '2026-10-22', to: '2026-10-27', weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '12:00', slotMinutes: 20, count: 1 }
  const res = await series(app, gp.cookie, week)
  t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
  t.same(starts(res.json().created), [
    '2026-10-22T12:00:00+02:00', '2026-10-23T12:00:00+02:00', '2026-10-24T12:00:00+02:00',
    '2026-10-25T12:00:00+01:00', '2026-10-26T12:00:00+01:00', '2026-10-27T12:00:00+01:00'
  ])
  t.equal(res.json().created[3].end, '2026-10-25T12:20:00+01:00')

  const night = await series(app, gp.cookie, { from: '2026-10-25', to: '2026-10-25', weekdays: [7], startTime: '02:00', slotMinutes: 30, count: 3 })
  t.equal(night.statusCode, 201, 'HTTP 201', { body: night.body })
  t.same(starts(night.json().created), ['2026-10-25T02:00:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-25T03:00:00+01:00'],
    'the repeated hour takes its first occurrence')
  t.same(night.json().skipped, [])

  const r = await reunion(app, terr.adminCookie)
  const re = await series(app, r.cookie, week)
  t.same(starts(re.json().created), ['22', '23', '24', '25', '26', '27'].map((d) => `2026-10-${d}T12:00:00+04:00`))
  const dry = await series(app, r.cookie, { ...week, to: '2026-10-28', dryRun: true })
  t.equal(dry.statusCode, 200)
  t.same(dry.json().skipped, ['22', '23', '24', '25', '26', '27'].map((d) => ({ start: `2026-10-${d}T12:00:00+04:00`, reason: 'overlap' })))
  t.same(dry.json().preview, [{ start: '2026-10-28T12:00:00+04:00', end: '2026-10-28T12:20:00+04:00' }])
  t.equal((await slotsOf(app, r.cookie, r.id)).length, 6, 'the dry run wrote nothing')
})

t.test('series: past and far days skipped, bad input refused, who publishes', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const res = await series(app, gp.cookie, { from: '2026-06-01', to: '2026-06-02', weekdays: [1, 2], startTime: '09:00', slotMinutes: 15, count: 1 })
  t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
  t.same(res.json().skipped, [{ start: '2026-06-01T09:00:00+02:00', reason: 'in_the_past' }])
  t.same(starts(res.json().created), ['2026-06-02T09:00:00+02:00'])
  const far = await series(app, gp.cookie, { from: '2026-11-27', to: '2026-11-30', weekdays: [1, 2, 3, 4, 5], startTime: '09:00', slotMinutes: 15, count: 1 })
  t.same(starts(far.json().created), ['2026-11-27T09:00:00+01:00'])
  t.same(far.json().skipped, [{ start: '2026-11-30T09:00:00+01:00', reason: 'too_far_ahead' }])

  const before = await countRows(db, SLOT_TABLES)
  const bad: Array<[string, Series, string]> = [
    ['count 0', { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 0 }, 'count'],
    ['4-minute slots', { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 4, count: 1 }, 'slotMinutes'],
    ['to before from', { from: '2026-06-04', to: '2026-06-03', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1 }, 'to'],
    ['weekday 8', { from: '2026-06-03', to: '2026-06-04', weekdays: [8], startTime: '09:00', slotMinutes: 15, count: 1 }, 'weekdays'],
    ['startTime 9h', { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '9h', slotMinutes: 15, count: 1 }, 'startTime']
  ]
  for (const [label, body, field] of bad) {
    const r = await series(app, gp.cookie, body)
    t.equal(r.statusCode, 400, label, { body: r.body })
    t.equal(r.json().code, 'VALIDATION')
    t.ok(r.json().details.some((d: any) => d.path[0] === field), `${label}: details name ${field}`)
  }
  const psyKind = await series(app, gp.cookie, { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1, kind: 'psy' })
  t.equal(psyKind.statusCode, 400)
  const byAdminNoId = await series(app, terr.adminCookie, { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1 })
  t.equal(byAdminNoId.statusCode, 400)
  const byRegulator = await series(app, terr.users.regulator.cookie, { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1 })
  t.equal(byRegulator.statusCode, 403)
  t.same(await countRows(db, SLOT_TABLES), before, 'refused series wrote nothing')
  const byAdmin = await series(app, terr.adminCookie, { from: '2026-06-03', to: '2026-06-04', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1, practitionerId: terr.users.psy.id, kind: 'psy' })
  t.equal(byAdmin.statusCode, 201, 'HTTP 201', { body: byAdmin.body })
  t.same(byAdmin.json().created.map((s: any) => [s.practitioner.id, s.kind, s.start]), [[terr.users.psy.id, 'psy', '2026-06-03T09:00:00+02:00']])
})

t.test('one slot: checks, kinds, who publishes', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const psy = terr.users.psy
  const before = await countRows(db, SLOT_TABLES)

  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['end before start', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T11:45:00+02:00' }, 'end'],
    ['end equal to start', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:00:00+02:00' }, 'end'],
    ['4 minutes', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:04:00+02:00' }, 'end'],
    ['241 minutes', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T16:01:00+02:00' }, 'end'],
    ['in the past', { start: '2026-06-01T09:59:00+02:00', end: '2026-06-01T10:15:00+02:00' }, 'start'],
    ['more than 180 days ahead', { start: '2026-11-28T08:01:00Z', end: '2026-11-28T08:16:00Z' }, 'start'],
    ['no offset', { start: '2026-06-02T12:00:00', end: '2026-06-02T12:15:00' }, 'start'],
    ['not a date', { start: 'demain midi', end: '2026-06-02T12:15:00+02:00' }, 'start'],
    ['unknown mode', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', mode: 'teleport' }, 'mode'],
    ['GP publishing psy', { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', kind: 'psy' }, 'kind']
  ]
  for (const [label, body, field] of refused) {
    const res = await post(app, gp.cookie, body)
    t.equal(res.statusCode, 400, label, { body: res.body })
    t.equal(res.json().code, 'VALIDATION', label)
    t.ok(Array.isArray(res.json().details) && res.json().details.some((d: any) => d.path[0] === field), `${label}: details point at ${field}`)
  }
  const psySnp = await post(app, psy.cookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', kind: 'snp' })
  t.equal(psySnp.statusCode, 400, 'a psychiatrist publishing snp')
  t.equal(psySnp.json().code, 'VALIDATION')
  const adminNoId = await post(app, terr.adminCookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00' })
  t.equal(adminNoId.statusCode, 400, 'an admin without practitionerId')
  t.ok(adminNoId.json().details.some((d: any) => d.path[0] === 'practitionerId'))
  const adminUnknown = await post(app, terr.adminCookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', practitionerId: terr.users.regulator.id })
  t.equal(adminUnknown.statusCode, 400, 'an admin naming someone who is not a practitioner')
  const forOther = await post(app, gp.cookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00', practitionerId: terr.users.gp2.id })
  t.equal(forOther.statusCode, 403, "a GP publishing another practitioner's slot")
  const byReg = await post(app, terr.users.regulator.cookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:15:00+02:00' })
  t.equal(byReg.statusCode, 403)
  t.equal(byReg.json().code, 'FORBIDDEN')
  t.same(await countRows(db, SLOT_TABLES), before, 'nothing written by refused requests')

  const ok: Array<[string, Record<string, unknown>, string]> = [
    ['5 minutes', { start: '2026-06-02T08:00:00+02:00', end: '2026-06-02T08:05:00+02:00' }, '2026-06-02T08:00:00+02:00'],
    ['240 minutes', { start: '2026-06-02T09:00:00+02:00', end: '2026-06-02T13:00:00+02:00' }, '2026-06-02T09:00:00+02:00'],
    ['starting now', { start: '2026-06-01T08:00:00Z', end: '2026-06-01T08:15:00Z' }, '2026-06-01T10:00:00+02:00'],
    ['exactly 180 days ahead', { start: '2026-11-28T08:00:00Z', end: '2026-11-28T08:15:00Z' }, '2026-11-28T09:00:00+01:00'],
    ['another offset', { start: '2026-06-03T07:00:00-03:00', end: '2026-06-03T07:30:00-03:00' }, '2026-06-03T12:00:00+02:00']
  ]
  for (const [label, body, start] of ok) {
    const res = await post(app, gp.cookie, body)
    t.equal(res.statusCode, 201, label, { body: res.body })
    t.equal(res.json().start, start, `${label}: answered in the territory's offset`)
  }
  const psyOk = await post(app, psy.cookie, { start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:45:00+02:00', kind: 'psy', mode: 'video' })
  t.equal(psyOk.statusCode, 201, 'HTTP 201', { body: psyOk.body })
  t.same([psyOk.json().kind, psyOk.json().mode, psyOk.json().practitioner.profession], ['psy', 'video', 'psychiatrist'])
  const byAdmin = await post(app, terr.adminCookie, { start: '2026-06-04T12:00:00+02:00', end: '2026-06-04T12:15:00+02:00', practitionerId: gp.id })
  t.equal(byAdmin.statusCode, 201, 'HTTP 201', { body: byAdmin.body })
  t.equal(byAdmin.json().practitioner.id, gp.id)
  t.equal(byAdmin.json().status, 'free')
  const published = await db.selectFrom('events').select('type').where('slot_id', '=', byAdmin.json().id).execute()
  t.same(published.map((e) => e.type), ['slot.published'], 'one event per publication')
})

t.test('where and to whom: a place of the practitioner\'s, CPTS among their memberships, one zone', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const [a, b] = terr.cpts.map((c) => c.id) as [string, string]
  const at = (hh: string, extra: Record<string, unknown> = {}) => ({ start: `2026-06-02T${hh}:00:00+02:00`, end: `2026-06-02T${hh}:15:00+02:00`, ...extra })

  // Defaults: the home place (its id is the account's) and the home CPTS.
  const plain = await post(app, gp.cookie, at('08'))
  t.equal(plain.statusCode, 201, 'HTTP 201', { body: plain.body })
  t.match(plain.json(), { cptsId: a, cptsIds: [a], place: { id: gp.id, address: '1 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', communeCode: '85234', departement: '85' } },
    'at home, offered to the home CPTS')
  t.same([plain.json().practitioner.address, plain.json().practitioner.commune], ['1 rue de la Plage', 'Saint-Jean-de-Monts'], 'the practitioner\'s address fields: the place\'s')

  await joinCpts(db, gp.id, b)
  const centre = await givePlace(db, gp.id, { label: 'Maison de santé', address: '3 rue Carnot', postalCode: '85300', commune: 'Challans', communeCode: '85047' })
  const both = await post(app, gp.cookie, at('09', { placeId: centre, cptsIds: [b, a] }))
  t.equal(both.statusCode, 201, 'HTTP 201', { body: both.body })
  t.match(both.json(), { cptsId: a, cptsIds: [a, b], place: { id: centre, label: 'Maison de santé', address: '3 rue Carnot', commune: 'Challans', communeCode: '85047', departement: '85' } },
    'at the centre, offered to both: the home CPTS is its own')
  t.same(both.json().practitioner.commune, 'Challans', 'the compat fields follow the slot\'s place')
  t.same(await db.selectFrom('slot_offers').select(['slot_id', 'cpts_id']).execute(), [{ slot_id: both.json().id, cpts_id: b }], 'one extra offer written')
  const onlyB = await post(app, gp.cookie, at('10', { cptsIds: [b] }))
  t.match(onlyB.json(), { cptsId: b, cptsIds: [b], place: { id: gp.id } }, 'offered to B alone: B is its own CPTS')

  // ?cptsId lists a slot offered to the CPTS, as its own or as an extra.
  const listed = async (cptsId: string): Promise<string[]> =>
    (await app.inject({ url: `/api/slots?cptsId=${cptsId}`, headers: { cookie: terr.users.regulator.cookie } })).json().map((s: any) => s.id).sort()
  t.same(await listed(b), [both.json().id, onlyB.json().id].sort(), '?cptsId=B: the extra offer and B\'s own')
  t.same(await listed(a), [plain.json().id, both.json().id].sort(), '?cptsId=A: not the slot offered to B alone')

  // Refused, nothing written: another's place, an archived one, a CPTS not joined, two zones.
  const other = await givePlace(db, terr.users.gp2.id)
  const archived = await givePlace(db, gp.id, { label: 'Ancien cabinet' })
  await db.updateTable('practitioner_places').set({ archived_at: '2026-05-01T00:00:00.000Z' }).where('id', '=', archived).execute()
  const reunion = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Nord Réunion', timezone: 'Indian/Reunion' } })
  await joinCpts(db, gp.id, reunion.json().id)
  const stranger = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Bocage' } })
  const before = await countRows(db, [...SLOT_TABLES, 'slot_offers'])
  const refused: Array<[string, Record<string, unknown>, Array<string | number>]> = [
    ['another practitioner\'s place', { placeId: other }, ['placeId']],
    ['an archived place', { placeId: archived }, ['placeId']],
    ['an unknown place', { placeId: 'nowhere' }, ['placeId']],
    ['a CPTS not joined', { cptsIds: [a, stranger.json().id] }, ['cptsIds', 1]],
    ['CPTS in two zones', { cptsIds: [a, reunion.json().id] }, ['cptsIds']],
    ['no CPTS', { cptsIds: [] }, ['cptsIds']]
  ]
  for (const [label, extra, path] of refused) {
    const res = await post(app, gp.cookie, at('11', extra))
    t.equal(res.statusCode, 400, label, { body: res.body })
    t.ok(res.json().details.some((d: any) => JSON.stringify(d.path) === JSON.stringify(path)), `${label}: details.path ${JSON.stringify(path)}`)
  }
  const seriesAtOther = await series(app, gp.cookie, { from: '2026-06-03', to: '2026-06-03', weekdays: [3], startTime: '09:00', slotMinutes: 15, count: 1, placeId: other })
  t.equal(seriesAtOther.statusCode, 400, 'a series at another\'s place')
  t.same(await countRows(db, [...SLOT_TABLES, 'slot_offers']), before, 'refused requests wrote nothing')

  // One practitioner is at one place at a time.
  const elsewhere = await post(app, gp.cookie, at('09', { placeId: gp.id }))
  t.equal(elsewhere.statusCode, 409, 'the same time at another place')
  t.equal(elsewhere.json().code, 'SLOT_OVERLAP')

  // A series is published at its place and to its CPTS, each slot alike.
  const s = await series(app, gp.cookie, { from: '2026-06-08', to: '2026-06-09', weekdays: [1, 2], startTime: '09:00', slotMinutes: 15, count: 1, placeId: centre, cptsIds: [a, b] })
  t.equal(s.statusCode, 201, 'HTTP 201', { body: s.body })
  t.same(s.json().created.map((x: any) => [x.place.id, x.cptsIds]), [[centre, [a, b]], [centre, [a, b]]], 'the series at the centre, offered to both')
})

t.test('a series skips the public holidays of the place\'s département, not the home one\'s', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  // Guyane's abolition of slavery day, 10 June: a holiday at a place in Cayenne, not in Vendée.
  const cayenne = await givePlace(db, gp.id, { label: 'Cayenne', address: '1 place des Palmistes', postalCode: '97300', commune: 'Cayenne', communeCode: '97302' })
  const week: Series = { from: '2026-06-09', to: '2026-06-11', weekdays: [2, 3, 4], startTime: '09:00', slotMinutes: 15, count: 1, skipHolidays: true, dryRun: true }
  const home = await series(app, gp.cookie, week)
  t.same(home.json().holidays, [], 'at home (85): no holiday that week')
  t.equal(home.json().preview.length, 3)
  const away = await series(app, gp.cookie, { ...week, placeId: cayenne })
  t.same(away.json().holidays.map((h: any) => h.date), ['2026-06-10'], 'at Cayenne (973): 10 June')
  t.same(away.json().skipped, [{ start: '2026-06-10T09:00:00+02:00', reason: 'public_holiday' }], 'skipped there')
  t.equal(away.json().preview.length, 2)
})
