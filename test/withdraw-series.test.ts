// Issue 14: a GP withdraws a whole series, or one day of it, in one action; booked slots are
// kept and listed; one transaction, one event per slot withdrawn, broadcast live. And the
// series preview's public holidays (the practitioner's département), skipped on request.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, signIn } from './helpers/build.js'
import { PASSWORD, practitionerProfile, territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

const PATIENT = { lastName: 'Martin', firstName: 'Léa', birthDate: '1980-01-02', phone: '06 12 34 56 78' }

async function series (app: FastifyInstance, cookie: string, body: Record<string, unknown>): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/api/slots/series', headers: { cookie }, payload: { kind: 'snp', mode: 'office', weekdays: [1, 2, 3, 4, 5], slotMinutes: 15, ...body } })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`series: ${res.statusCode} ${res.body}`)
  return res.json()
}

const withdraw = async (app: FastifyInstance, cookie: string, payload: Record<string, unknown>) =>
  await app.inject({ method: 'POST', url: '/api/slots/withdrawals', headers: { cookie }, payload })

const local = (list: any[]): string[] => list.map((s) => s.start.slice(0, 16)).sort()

t.test('withdraw a day of a series, a whole day, then the whole series', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const reg = terr.users.regulator
  const a = await series(app, gp.cookie, { from: '2026-06-08', to: '2026-06-12', startTime: '12:00', count: 2 })
  const b = await series(app, gp.cookie, { from: '2026-06-08', to: '2026-06-12', startTime: '18:00', count: 1 })
  t.equal(a.created.length, 10)
  t.ok(typeof a.seriesId === 'string' && a.seriesId !== b.seriesId, 'each series has its id')
  t.ok(a.created.every((s: any) => s.seriesId === a.seriesId), 'its slots carry it')
  const at = (list: any[], start: string): any => list.find((s) => s.start.startsWith(start))
  const booked = at(a.created, '2026-06-10T12:00')
  const held = at(a.created, '2026-06-11T12:15')
  const book = await app.inject({ method: 'POST', url: `/api/slots/${booked.id}/booking`, headers: { cookie: reg.cookie }, payload: { patient: PATIENT, hasTreatingGp: 'no' } })
  t.equal(book.statusCode, 201, book.body)
  t.equal((await app.inject({ method: 'POST', url: `/api/slots/${held.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
  const mine = await app.inject({ method: 'GET', url: `/api/slots?practitionerId=${gp.id}`, headers: { cookie: gp.cookie } })
  t.equal(mine.json().filter((s: any) => s.seriesId === a.seriesId).length, 10, 'GET /api/slots names the series')

  const live = await openLive(app, reg.cookie)
  await live.waitFor((f) => f.type === 'snapshot')

  t.test('one day of one series: the other series that day is left', async (t) => {
    const res = await withdraw(app, gp.cookie, { seriesId: a.seriesId, date: '2026-06-09' })
    t.equal(res.statusCode, 200, res.body)
    t.same(local(res.json().withdrawn), ['2026-06-09T12:00', '2026-06-09T12:15'])
    t.same(res.json().kept, [])
    t.ok(res.json().withdrawn.every((s: any) => s.status === 'withdrawn'))
    const other = await db.selectFrom('slots').select('status').where('series_id', '=', b.seriesId).where('local_date', '=', '2026-06-09').executeTakeFirstOrThrow()
    t.equal(other.status, 'free')
  })

  t.test('a whole day: the booked slot is kept and listed', async (t) => {
    const res = await withdraw(app, gp.cookie, { date: '2026-06-10' })
    t.equal(res.statusCode, 200, res.body)
    t.same(local(res.json().withdrawn), ['2026-06-10T12:15', '2026-06-10T18:00'])
    t.same(res.json().kept.map((s: any) => [s.id, s.status, s.bookingId]), [[booked.id, 'booked', book.json().id]])
  })

  t.test('the whole series: the held slot is withdrawn, the booked kept', async (t) => {
    const res = await withdraw(app, gp.cookie, { seriesId: a.seriesId })
    t.equal(res.statusCode, 200, res.body)
    t.same(local(res.json().withdrawn), ['2026-06-08T12:00', '2026-06-08T12:15', '2026-06-11T12:00', '2026-06-11T12:15', '2026-06-12T12:00', '2026-06-12T12:15'])
    t.same(res.json().kept.map((s: any) => s.id), [booked.id])
    const again = await withdraw(app, gp.cookie, { seriesId: a.seriesId })
    t.same(again.json(), { withdrawn: [], kept: again.json().kept }, 'again: nothing more to withdraw')
    const left = await db.selectFrom('slots').select(['status']).where('series_id', '=', a.seriesId).execute()
    t.same(left.map((r) => r.status).sort(), ['booked', ...Array(9).fill('withdrawn')])
  })

  t.test('each slot withdrawn is one slot.withdrawn event, live, in seq order', async (t) => {
    await live.waitFor(() => live.frames.filter((f) => f.event === 'slot.withdrawn').length === 10, '10 withdrawals')
    const events = live.frames.filter((f) => f.type === 'event')
    const withdrawals = events.filter((f) => f.event === 'slot.withdrawn')
    t.equal(withdrawals.length, 10)
    t.ok(withdrawals.some((f) => f.slot.id === held.id), 'the held slot is announced withdrawn')
    const seqs = events.map((f) => f.seq)
    t.same(seqs, [...seqs].sort((x, y) => x - y), 'in seq order')
    t.equal(seqs[seqs.length - 1] - seqs[0] + 1, seqs.length, 'with no gap')
    const audit = await db.selectFrom('audit_log').select(['action', 'subject_id', 'detail']).where('action', '=', 'slots.withdraw').execute()
    t.equal(audit.length, 3, 'one audit entry per action')
    live.close()
  })
})

t.test('who may withdraw several slots, and what is refused', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const a = await series(app, gp.cookie, { from: '2026-06-08', to: '2026-06-09', startTime: '12:00', count: 1 })

  t.equal((await withdraw(app, gp.cookie, {})).json().code, 'VALIDATION', 'a series or a date is needed')
  t.equal((await withdraw(app, gp.cookie, { date: '2026-13-01' })).json().code, 'VALIDATION')
  t.equal((await withdraw(app, terr.users.regulator.cookie, { seriesId: a.seriesId })).statusCode, 403)
  t.equal((await withdraw(app, terr.users.board.cookie, { seriesId: a.seriesId })).statusCode, 403)
  t.equal((await withdraw(app, terr.users.gp2.cookie, { seriesId: a.seriesId, practitionerId: gp.id })).statusCode, 403, 'not for another practitioner')
  const other = await withdraw(app, terr.users.gp2.cookie, { seriesId: a.seriesId })
  t.same(other.json(), { withdrawn: [], kept: [] }, 'another GP names the series: nothing of it is theirs')
  t.equal((await withdraw(app, terr.adminCookie, { seriesId: a.seriesId })).json().code, 'VALIDATION', 'an admin names the practitioner')
  const admin = await withdraw(app, terr.adminCookie, { seriesId: a.seriesId, date: '2026-06-08', practitionerId: gp.id })
  t.same(local(admin.json().withdrawn), ['2026-06-08T12:00'])
  const rows = await db.selectFrom('slots').select(['status']).where('series_id', '=', a.seriesId).orderBy('start_at').execute()
  t.same(rows.map((r) => r.status), ['withdrawn', 'free'])
})

t.test('a slot that has started is not withdrawn with its day', async (t) => {
  const { app, clock } = await build(t, {}, '2026-06-02T08:00:00.000Z')
  const terr = await territory(app)
  const gp = terr.users.gp
  const a = await series(app, gp.cookie, { from: '2026-06-02', to: '2026-06-02', startTime: '12:00', count: 3 })
  clock.set('2026-06-02T10:20:00.000Z') // 12:20 in Paris: the 12:00 and 12:15 slots have started
  const res = await withdraw(app, gp.cookie, { seriesId: a.seriesId, date: '2026-06-02' })
  t.same(local(res.json().withdrawn), ['2026-06-02T12:30'])
})

t.test('public holidays of the practitioner\'s département in the series answer', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const dry = await series(app, gp.cookie, { from: '2026-07-13', to: '2026-07-17', startTime: '12:00', count: 1, dryRun: true })
  t.same(dry.holidays, [{ date: '2026-07-14', name: 'Fête nationale' }])
  t.equal(dry.preview.length, 5, 'the holiday is still in the preview unless asked otherwise')
  t.equal(dry.seriesId, undefined, 'a dry run has no series')
  const skip = await series(app, gp.cookie, { from: '2026-07-13', to: '2026-07-17', startTime: '12:00', count: 1, skipHolidays: true })
  t.equal(skip.created.length, 4)
  t.same(skip.skipped, [{ start: '2026-07-14T12:00:00+02:00', reason: 'public_holiday' }])

})

t.test('Alsace-Moselle: Good Friday and 26 December flagged for a GP in Strasbourg only', async (t) => {
  const { app } = await build(t, {}, '2026-12-01T08:00:00.000Z')
  const terr = await territory(app)
  const email = 'gp.strasbourg@cpts.test'
  const u = await app.inject({
    method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie },
    payload: { email, name: 'Dr Schmitt', password: PASSWORD, role: 'practitioner', cptsId: terr.cpts[0]!.id, practitioner: { ...practitionerProfile(41), postalCode: '67000', commune: 'Strasbourg' } }
  })
  t.equal(u.statusCode, 201, 'the GP of Strasbourg')
  const alsace = await signIn(app, email, PASSWORD)
  const winter = { from: '2026-12-21', to: '2027-03-31', startTime: '12:00', count: 1, dryRun: true }
  const names = (r: any): string[] => r.holidays.map((h: any) => `${h.date} ${h.name}`)
  t.same(names(await series(app, alsace, winter)), [
    '2026-12-25 Noël', '2026-12-26 Saint-Étienne', '2027-01-01 Jour de l’an', '2027-03-26 Vendredi saint', '2027-03-29 Lundi de Pâques'
  ])
  t.same(names(await series(app, terr.users.gp.cookie, winter)), ['2026-12-25 Noël', '2027-01-01 Jour de l’an', '2027-03-29 Lundi de Pâques'], 'in Vendée')
})
