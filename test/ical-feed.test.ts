// Issue 6: the practitioner's calendar feed (iCal), read by ical.js (Thunderbird's parser) and
// node-ical: instants on DST days and overseas, UID/SEQUENCE across changes, cancelled and
// withdrawn slots, no patient identity, the secret address (rotate, 404, logs), caching.
import { Writable } from 'node:stream'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import ICAL from 'ical.js'
import ical from 'node-ical'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { build, signIn } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { PASSWORD, practitionerProfile, publishSlot, territory } from './helpers/fixtures.js'
import { givePlace } from './helpers/places.js'

const PATIENT = { lastName: 'Zyxwvutsrq', firstName: 'Quentinella', birthDate: '1977-11-23', phone: '06 98 76 54 32' }
const REASON = 'douleur thoracique atypique'
const BOOKING = { patient: PATIENT, reason: REASON, hasTreatingGp: 'no' }
/** Long sessions and far publishing: these tests move the clock by days and publish in October. */
const ENV = { SESSION_HOURS: String(24 * 90), PUBLISH_MAX_DAYS_AHEAD: '365' }
const MARCH = '2026-03-20T09:00:00.000Z'

interface ParsedEvent {
  uid: string
  /** UTC instants, ISO. */
  start: string
  end: string
  status: string
  sequence: number
  summary: string
  description: string
  location: string
  lastModified: string
}

/** The events as ical.js reads them, with the feed's own VTIMEZONEs (as a client does). */
function withIcalJs (text: string): Map<string, ParsedEvent> {
  const cal = new ICAL.Component(ICAL.parse(text))
  ICAL.TimezoneService.reset()
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz)
  const out = new Map<string, ParsedEvent>()
  for (const ve of cal.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(ve)
    out.set(ev.uid, {
      uid: ev.uid,
      start: ev.startDate.toJSDate().toISOString(),
      end: ev.endDate.toJSDate().toISOString(),
      status: String(ve.getFirstPropertyValue('status')),
      sequence: ev.sequence,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      lastModified: (ve.getFirstPropertyValue('last-modified') as ICAL.Time).toJSDate().toISOString()
    })
  }
  return out
}

function withNodeIcal (text: string): Map<string, ParsedEvent> {
  const str = (v: unknown): string => typeof v === 'object' && v !== null && 'val' in v ? String(v.val) : String(v)
  const out = new Map<string, ParsedEvent>()
  for (const c of Object.values(ical.sync.parseICS(text))) {
    if (c?.type !== 'VEVENT') continue
    out.set(c.uid, {
      uid: c.uid,
      start: c.start.toISOString(),
      end: (c.end ?? c.start).toISOString(),
      status: String(c.status),
      sequence: Number(c.sequence),
      summary: str(c.summary),
      description: str(c.description),
      location: str(c.location),
      lastModified: c.lastmodified?.toISOString() ?? ''
    })
  }
  return out
}

const PARSERS = [['ical.js', withIcalJs], ['node-ical', withNodeIcal]] as const

/** RFC 5545 folds long lines; searching the text for a value needs them unfolded. */
const unfold = (text: string): string => text.replace(/\r\n[ \t]/g, '')

async function feedAddresses (app: FastifyInstance, cookie: string): Promise<{ url: string, urlWithFree: string, createdAt: string }> {
  const res = await app.inject({ method: 'GET', url: '/api/feed', headers: { cookie } })
  if (res.statusCode !== 200) throw new Error(`/api/feed: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Fetches a feed by its absolute address, with no cookie (as a calendar client does). */
async function fetchFeed (app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const u = new URL(url)
  return await app.inject({ method: 'GET', url: u.pathname + u.search, headers })
}

async function feedText (app: FastifyInstance, url: string): Promise<string> {
  const res = await fetchFeed(app, url)
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.body
}

async function book (app: FastifyInstance, cookie: string, slotId: string): Promise<{ id: string }> {
  const res = await app.inject({ method: 'POST', url: `/api/slots/${slotId}/booking`, headers: { cookie }, payload: BOOKING })
  if (res.statusCode !== 201) throw new Error(`book: ${res.statusCode} ${res.body}`)
  return res.json()
}

async function post (app: FastifyInstance, cookie: string, url: string, payload?: object, method: 'POST' | 'DELETE' = 'POST'): Promise<{ statusCode: number, body: string }> {
  return await app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload } : {}) })
}

const iso = (s: string): string => new Date(s).toISOString()

t.test('bookings at the right instant on both DST days, read by ical.js and node-ical', async (t) => {
  const { app } = await build(t, ENV, MARCH)
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  // [start, end] with the offsets a GP in Paris means.
  const times: Record<string, [string, string]> = {
    // Spring forward: 01:45 (+01:00) lasts 15 minutes and ends at 03:00 (+02:00).
    acrossTheGap: ['2026-03-29T01:45:00+01:00', '2026-03-29T03:00:00+02:00'],
    springNoon: ['2026-03-29T12:00:00+02:00', '2026-03-29T12:15:00+02:00'],
    // Fall back: 02:30 exists twice; one slot in each, and one that ends in the repeated hour.
    firstHalfPast: ['2026-10-25T02:30:00+02:00', '2026-10-25T02:45:00+02:00'],
    endsInRepeat: ['2026-10-25T02:45:00+02:00', '2026-10-25T02:00:00+01:00'],
    secondHalfPast: ['2026-10-25T02:30:00+01:00', '2026-10-25T02:45:00+01:00'],
    autumnNoon: ['2026-10-25T12:00:00+01:00', '2026-10-25T12:15:00+01:00']
  }
  const ids: Record<string, string> = {}
  for (const [name, [start, end]] of Object.entries(times)) {
    const slot = await publishSlot(app, gp.cookie, start, end)
    await book(app, regulator.cookie, slot.id)
    ids[name] = slot.id
  }
  const { url } = await feedAddresses(app, gp.cookie)
  const text = await feedText(app, url)
  const raw = unfold(text)
  t.match(raw, /BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris\r\n/, 'a VTIMEZONE for the CPTS zone')
  t.match(raw, 'DTSTART;TZID=Europe/Paris:20261025T120000', 'ordinary times are written as Paris wall times')
  t.match(raw, 'REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n')
  t.match(raw, 'X-PUBLISHED-TTL:PT15M\r\n')

  for (const [parser, parse] of PARSERS) {
    const events = parse(text)
    t.equal(events.size, Object.keys(times).length, `${parser}: one event per booked slot`)
    for (const [name, [start, end]] of Object.entries(times)) {
      const ev = events.get(`${ids[name]}@creneaux`)
      t.same(ev === undefined ? null : [ev.start, ev.end], [iso(start), iso(end)], `${parser}: ${name} at ${start} – ${end}`)
      t.equal(ev?.status, 'CONFIRMED')
      t.equal(ev?.summary, 'Patient SNP — réservé par la régulation')
    }
  }
})

t.test('Indian/Reunion: the CPTS zone, +04:00 all year', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const cpts = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Ouest Réunion', timezone: 'Indian/Reunion' } })
  const profile = { ...practitionerProfile(7), postalCode: '97460', commune: 'Saint-Paul' }
  const created = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie }, payload: { email: 'gp974@cpts.test', name: 'Dr Payet', password: PASSWORD, role: 'practitioner', cptsId: cpts.json().id, practitioner: profile } })
  t.equal(created.statusCode, 201, 'HTTP 201', { body: created.body })
  const cookie = await signIn(app, 'gp974@cpts.test', PASSWORD)
  const slot = await publishSlot(app, cookie, '2026-06-02T09:00:00+04:00', '2026-06-02T09:20:00+04:00')
  await book(app, terr.users.regulator.cookie, slot.id)

  const text = await feedText(app, (await feedAddresses(app, cookie)).url)
  t.match(unfold(text), 'DTSTART;TZID=Indian/Reunion:20260602T090000', 'written as a Réunion wall time')
  t.match(text, /TZID:Indian\/Reunion\r\nBEGIN:STANDARD\r\nDTSTART:\d{8}T000000\r\nTZOFFSETFROM:\+0400\r\nTZOFFSETTO:\+0400\r\n/, 'its VTIMEZONE: +04:00')
  for (const [parser, parse] of PARSERS) {
    const ev = parse(text).get(`${slot.id}@creneaux`)
    t.same([ev?.start, ev?.end], ['2026-06-02T05:00:00.000Z', '2026-06-02T05:20:00.000Z'], `${parser}: 09:00 in Réunion is 05:00 UTC`)
    t.equal(ev?.location, `${profile.address}, 97460 Saint-Paul`)
  }
})

t.test('one UID per slot for ever; SEQUENCE and LAST-MODIFIED move on every change', async (t) => {
  const { app, clock, config } = await build(t, { ...ENV, PUBLIC_URL: 'https://creneaux.cpts-vendee.example' })
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-06-03T12:00:00+02:00', '2026-06-03T12:15:00+02:00')
  const uid = `${slot.id}@creneaux`
  const { url, urlWithFree } = await feedAddresses(app, gp.cookie)
  t.equal(urlWithFree, `${url}?free=1`)
  t.ok(url.startsWith('https://creneaux.cpts-vendee.example/feeds/') && url.endsWith('.ics'), `an absolute address on PUBLIC_URL: ${url}`)

  const history: Array<{ step: string, event: ParsedEvent | undefined }> = []
  const look = async (step: string, feed: string): Promise<ParsedEvent | undefined> => {
    const text = await feedText(app, feed)
    const [a, b] = PARSERS.map(([, parse]) => parse(text).get(uid))
    t.same(b, a, `${step}: node-ical reads what ical.js reads`)
    history.push({ step, event: a })
    clock.advance(60_000)
    return a
  }

  t.equal(await look('free, default feed', url), undefined, 'a free slot is not in the default feed')
  const free = await look('free, with free slots', urlWithFree)
  t.match(free, { status: 'TENTATIVE', summary: 'Créneau libre (SNP)' }, 'but is in the "créneaux libres" variant')

  const b1 = await book(app, regulator.cookie, slot.id)
  const booked = await look('booked', url)
  t.match(booked, { status: 'CONFIRMED', summary: 'Patient SNP — réservé par la régulation', start: iso('2026-06-03T12:00:00+02:00') })
  t.match(booked?.description, `Référence de la réservation : ${b1.id.slice(0, 8)}`, 'the booking reference regulators read out')
  t.match(booked?.description, `${config.publicUrl}/praticien`, 'and where to see the patient')
  t.equal(booked?.location, '1 rue de la Plage, 85160 Saint-Jean-de-Monts', 'the practitioner\'s address')

  t.equal((await post(app, regulator.cookie, `/api/bookings/${b1.id}/cancel`, { reason: 'le patient a trouvé son médecin' })).statusCode, 200)
  const cancelled = await look('cancelled', url)
  t.match(cancelled, { status: 'CANCELLED', summary: 'Réservation annulée (SNP)' }, 'a cancelled booking stays, cancelled, so that calendars remove it')
  t.match(await look('cancelled, with free slots', urlWithFree), { status: 'TENTATIVE', summary: 'Créneau libre (SNP)' }, 'the free variant shows the slot free again')

  const b2 = await book(app, regulator.cookie, slot.id)
  const rebooked = await look('booked again', url)
  t.match(rebooked, { status: 'CONFIRMED' })
  t.match(rebooked?.description, b2.id.slice(0, 8), 'with the new reference')

  clock.set('2026-06-03T10:05:00.000Z')
  t.equal((await post(app, gp.cookie, `/api/bookings/${b2.id}/outcome`, { outcome: 'no_show' })).statusCode, 200)
  const closed = await look('outcome', url)
  t.match(closed, { status: 'CONFIRMED' }, 'an outcome keeps the event confirmed')
  t.match(closed?.description, 'Issue : patient non venu.', 'with the outcome in the description')

  const steps = history.filter((h) => h.event !== undefined)
  t.same(steps.map((h) => h.event?.uid), steps.map(() => uid), 'the same UID at every step')
  const inDefault = steps.filter((h) => !h.step.includes('free slots'))
  for (let i = 1; i < inDefault.length; i++) {
    const [before, after] = [inDefault[i - 1]!, inDefault[i]!]
    t.ok(after.event!.sequence > before.event!.sequence, `SEQUENCE ${before.event!.sequence} → ${after.event!.sequence} (${before.step} → ${after.step})`)
    t.ok(after.event!.lastModified > before.event!.lastModified, `LAST-MODIFIED moves (${after.step})`)
  }
})

t.test('a GP at two practices: each office slot\'s LOCATION is its own place\'s address', async (t) => {
  const { app, db } = await build(t, ENV)
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  const port = await givePlace(db, gp.id, { label: 'Maison de santé du port', address: '8 quai Garcie-Ferrande', postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie', communeCode: '85222' })
  const atHome = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const atPort = await publishSlot(app, gp.cookie, '2026-06-02T15:00:00+02:00', '2026-06-02T15:15:00+02:00')
  // Published at the second place (at the database level until the publishing form picks a place).
  await db.updateTable('slots').set({ place_id: port }).where('id', '=', atPort.id).execute()
  const video = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie }, payload: { start: '2026-06-02T18:00:00+02:00', end: '2026-06-02T18:15:00+02:00', kind: 'snp', mode: 'video' } })
  t.equal(video.statusCode, 201, 'HTTP 201', { body: video.body })
  await db.updateTable('slots').set({ place_id: port }).where('id', '=', video.json().id).execute()
  for (const s of [atHome, atPort, video.json()]) await book(app, regulator.cookie, s.id)

  const text = await feedText(app, (await feedAddresses(app, gp.cookie)).url)
  for (const [parser, parse] of PARSERS) {
    const events = parse(text)
    t.equal(events.get(`${atHome.id}@creneaux`)?.location, '1 rue de la Plage, 85160 Saint-Jean-de-Monts', `${parser}: a slot at the home practice`)
    t.equal(events.get(`${atPort.id}@creneaux`)?.location, '8 quai Garcie-Ferrande, 85800 Saint-Gilles-Croix-de-Vie', `${parser}: a slot at the second one`)
    t.equal(events.get(`${video.json().id as string}@creneaux`)?.location, 'Téléconsultation', `${parser}: a video consultation has no address, whatever its place`)
  }
})

t.test('a practice that moves: its slots take the new LOCATION with a higher SEQUENCE; a new label changes nothing', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  const admin = terr.adminCookie
  const slot = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  await book(app, regulator.cookie, slot.id)
  const { url } = await feedAddresses(app, gp.cookie)
  const uid = `${slot.id}@creneaux`
  const event = async (): Promise<ParsedEvent> => {
    const text = await feedText(app, url)
    const [a, b] = PARSERS.map(([, parse]) => parse(text).get(uid)!)
    t.same(b, a, 'node-ical reads what ical.js reads')
    return a!
  }
  const places = await app.inject({ method: 'GET', url: `/api/users/${gp.id}/places`, headers: { cookie: admin } })
  const home = places.json().places[0].id as string
  const before = await event()
  t.equal(before.location, '1 rue de la Plage, 85160 Saint-Jean-de-Monts')

  clock.advance(3_600_000)
  const label = await app.inject({ method: 'PATCH', url: `/api/users/${gp.id}/places/${home}`, headers: { cookie: admin }, payload: { label: 'Cabinet de la plage' } })
  t.equal(label.statusCode, 200, 'HTTP 200', { body: label.body })
  t.same(await event(), before, 'a new label is not in the calendar: the event is the same')

  clock.advance(3_600_000)
  const moved = await app.inject({ method: 'PATCH', url: `/api/users/${gp.id}/places/${home}`, headers: { cookie: admin }, payload: { address: '12 avenue de la Forêt' } })
  t.equal(moved.statusCode, 200, 'HTTP 200', { body: moved.body })
  const after = await event()
  t.equal(after.location, '12 avenue de la Forêt, 85160 Saint-Jean-de-Monts', 'the new address')
  t.equal(after.sequence, before.sequence + 1, 'SEQUENCE rises: a calendar replaces its copy')
  t.equal(after.lastModified, clock.now().toISOString().replace(/\.\d{3}Z$/, '.000Z'), 'LAST-MODIFIED is the move')

  clock.advance(3_600_000)
  const account = await app.inject({ method: 'PATCH', url: `/api/users/${gp.id}`, headers: { cookie: admin }, payload: { practitioner: { postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie' } } })
  t.equal(account.statusCode, 200, 'HTTP 200', { body: account.body })
  const again = await event()
  t.equal(again.location, '12 avenue de la Forêt, 85800 Saint-Gilles-Croix-de-Vie', 'the home practice edited through the account')
  t.equal(again.sequence, after.sequence + 1)
  t.ok(again.lastModified > after.lastModified)
})

t.test('withdrawn slots are cancelled events; old slots leave the feed after 30 days', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const { gp, regulator } = terr.users
  const plain = await publishSlot(app, gp.cookie, '2026-06-04T12:00:00+02:00', '2026-06-04T12:15:00+02:00')
  const onceBooked = await publishSlot(app, gp.cookie, '2026-06-04T12:15:00+02:00', '2026-06-04T12:30:00+02:00')
  const b = await book(app, regulator.cookie, onceBooked.id)
  const { url, urlWithFree } = await feedAddresses(app, gp.cookie)
  const before = withIcalJs(await feedText(app, urlWithFree)).get(`${plain.id}@creneaux`)

  t.equal((await post(app, regulator.cookie, `/api/bookings/${b.id}/cancel`, { reason: 'annulé' })).statusCode, 200)
  for (const s of [plain, onceBooked]) t.equal((await post(app, gp.cookie, `/api/slots/${s.id}`, undefined, 'DELETE')).statusCode, 200)

  for (const [parser, parse] of PARSERS) {
    const withFree = parse(await feedText(app, urlWithFree))
    t.match(withFree.get(`${plain.id}@creneaux`), { status: 'CANCELLED', summary: 'Créneau retiré (SNP)' }, `${parser}: a withdrawn slot is cancelled in the free variant`)
    t.ok(withFree.get(`${plain.id}@creneaux`)!.sequence > before!.sequence, `${parser}: with a higher SEQUENCE`)
    const booked = parse(await feedText(app, url))
    t.match(booked.get(`${onceBooked.id}@creneaux`), { status: 'CANCELLED' }, `${parser}: a slot once booked, then withdrawn, is cancelled in the default feed`)
    t.notOk(booked.has(`${plain.id}@creneaux`), `${parser}: a slot never booked never appears in the default feed`)
  }

  const kept = await publishSlot(app, gp.cookie, '2026-06-05T12:00:00+02:00', '2026-06-05T12:15:00+02:00')
  await book(app, regulator.cookie, kept.id)
  clock.set('2026-07-04T12:00:00.000Z')
  t.ok(withIcalJs(await feedText(app, url)).has(`${kept.id}@creneaux`), 'a booking 29 days past is still there')
  clock.set('2026-07-06T12:00:00.000Z')
  t.notOk(withIcalJs(await feedText(app, url)).has(`${kept.id}@creneaux`), 'one 31 days past has left the feed')
})

t.test('no patient identity anywhere in the feed', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const { gp, psy, regulator } = terr.users
  const s1 = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s2 = await publishSlot(app, gp.cookie, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  const p1 = await publishSlot(app, psy.cookie, '2026-06-02T14:00:00+02:00', '2026-06-02T14:45:00+02:00', 'psy')
  await book(app, regulator.cookie, s1.id)
  const cancelled = await book(app, regulator.cookie, s2.id)
  await post(app, regulator.cookie, `/api/bookings/${cancelled.id}/cancel`, { reason: 'Zyxwvutsrq rappellera' })
  await book(app, regulator.cookie, p1.id)

  const texts: string[] = []
  for (const who of [gp, psy]) {
    const { url, urlWithFree } = await feedAddresses(app, who.cookie)
    texts.push(await feedText(app, url), await feedText(app, urlWithFree))
  }
  const psyEvent = withIcalJs(texts[2]!).get(`${p1.id}@creneaux`)
  t.equal(psyEvent?.summary, 'Patient psy — réservé par la régulation', 'psychiatrists\' slots say psy')
  const forbidden = [PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, '23/11/1977', '19771123', PATIENT.phone, PATIENT.phone.replace(/ /g, ''), REASON, 'thoracique', 'rappellera']
  for (const text of texts) {
    const flat = unfold(text).replace(/\\([,;\\])/g, '$1').toLowerCase()
    for (const value of forbidden) t.notOk(flat.includes(value.toLowerCase()), `"${value}" is not in the feed`)
  }
})

t.test('the secret address: rotate, 404, other practitioners, roles, caching', async (t) => {
  const { app, clock, db } = await build(t, { ...ENV, FEED_RATE_LIMIT: '1000' })
  const terr = await territory(app)
  const { gp, gp2, regulator, board } = terr.users
  const slot = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  await book(app, regulator.cookie, slot.id)

  const first = await feedAddresses(app, gp.cookie)
  t.same(await feedAddresses(app, gp.cookie), first, 'the page shows the same address again')
  t.match(first.createdAt, /\+02:00$/, 'createdAt in the CPTS zone')
  const res = await fetchFeed(app, first.url)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8')
  t.equal(res.headers['cache-control'], 'private, max-age=300')
  const etag = String(res.headers.etag)
  t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, 'a strong ETag')

  clock.advance(5 * 60_000)
  const same = await fetchFeed(app, first.url, { 'if-none-match': etag })
  t.equal(same.statusCode, 304, 'nothing changed: 304, even minutes later')
  t.equal(same.body, '')
  t.equal((await fetchFeed(app, first.url, { 'if-none-match': '"other"' })).statusCode, 200)
  const other = await publishSlot(app, gp.cookie, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  await book(app, regulator.cookie, other.id)
  const changed = await fetchFeed(app, first.url, { 'if-none-match': etag })
  t.equal(changed.statusCode, 200, 'a new booking: the full feed again')
  t.not(changed.headers.etag, etag, 'with a new ETag')

  const mine = await feedAddresses(app, gp2.cookie)
  t.not(mine.url, first.url, 'each practitioner has their own address')
  t.notOk(withIcalJs(await feedText(app, mine.url)).has(`${slot.id}@creneaux`), 'and sees only their own slots')
  t.equal((await post(app, gp2.cookie, '/api/feed/rotate')).statusCode, 200)
  t.equal((await fetchFeed(app, first.url)).statusCode, 200, 'another practitioner rotating does not touch my address')

  const rotated = await post(app, gp.cookie, '/api/feed/rotate')
  t.equal(rotated.statusCode, 200)
  const next = JSON.parse(rotated.body) as { url: string }
  t.not(next.url, first.url, 'a new address')
  const gone = await fetchFeed(app, first.url)
  t.equal(gone.statusCode, 404, 'the old address answers 404 at once')
  t.equal(gone.json().code, 'NOT_FOUND')
  t.equal((await fetchFeed(app, first.url.replace('.ics', '.ics?free=1'))).statusCode, 404, 'its free variant too')
  t.equal((await fetchFeed(app, next.url)).statusCode, 200, 'the new one works')
  t.equal((await feedAddresses(app, gp.cookie)).url, next.url, 'and the page shows it')

  for (const bad of ['/feeds/nope.ics', `/feeds/${'A'.repeat(43)}.ics`, `/feeds/${new URL(next.url).pathname.slice(7, -4)}x.ics`]) {
    t.equal((await app.inject({ method: 'GET', url: bad })).statusCode, 404, `${bad}: 404`)
  }
  for (const [who, cookie] of [['regulator', regulator.cookie], ['board', board.cookie], ['admin', terr.adminCookie]] as const) {
    t.equal((await app.inject({ method: 'GET', url: '/api/feed', headers: { cookie } })).statusCode, 403, `${who}: 403 on GET /api/feed`)
    t.equal((await post(app, cookie, '/api/feed/rotate')).statusCode, 403, `${who}: 403 on rotate`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/feed' })).statusCode, 401, 'anonymous: 401')

  const audit = await db.selectFrom('audit_log').select(['action', 'user_id', 'detail']).where('subject_type', '=', 'feed').orderBy('id').execute()
  t.same(audit.map((a) => [a.action, a.user_id]), [['feed.create', gp.id], ['feed.create', gp2.id], ['feed.rotate', gp2.id], ['feed.rotate', gp.id]], 'creation and rotation are audited')

  await db.updateTable('users').set({ disabled_at: clock.now().toISOString() }).where('id', '=', gp.id).execute()
  t.equal((await fetchFeed(app, next.url)).statusCode, 404, 'a disabled account\'s feed answers 404')
})

t.test('the public route is rate-limited per feed, not per client address', async (t) => {
  const { app } = await build(t, { ...ENV, FEED_RATE_LIMIT: '3' })
  const terr = await territory(app)
  const mine = (await feedAddresses(app, terr.users.gp.cookie)).url
  const theirs = (await feedAddresses(app, terr.users.gp2.cookie)).url
  // Google Calendar fetches everyone's feeds from a few shared addresses: one IP here.
  const fromGoogle = async (url: string): Promise<number> => {
    const u = new URL(url)
    return (await app.inject({ method: 'GET', url: u.pathname + u.search, remoteAddress: '66.249.84.1' })).statusCode
  }
  const codes = []
  for (let i = 0; i < 3; i++) codes.push(await fromGoogle(mine), await fromGoogle(theirs))
  t.same(codes, [200, 200, 200, 200, 200, 200], 'two feeds from the same address: each has its own allowance')
  t.equal(await fromGoogle(mine), 429, 'one feed over its limit: 429')
  t.equal(await fromGoogle(mine.replace('.ics', '.ics?free=1')), 429, 'its free variant shares the count')
  t.equal((await app.inject({ method: 'GET', url: new URL(mine).pathname, remoteAddress: '192.0.2.7' })).statusCode, 429, 'whoever asks')
  t.equal((await fetchFeed(app, theirs.replace('.ics', '.ics?free=1'))).statusCode, 429, 'the other feed reaches its own limit after three fetches')
})

t.test('the token never reaches the logs', async (t) => {
  const storage = await testStorage(t)
  const config = loadConfig({ ...storage.env, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000' })
  const db = openDatabase(config)
  await migrateToLatest(db)
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp({ config, db, clock: new ManualClock('2026-06-01T08:00:00.000Z'), logger: { level: 'info', stream } })
  await app.ready()
  t.teardown(async () => { await app.close(); await db.destroy() })
  const token = 'A'.repeat(43)
  t.equal((await app.inject({ method: 'GET', url: `/feeds/${token}.ics?free=1` })).statusCode, 404)
  const logged = lines.join('')
  t.match(logged, '/feeds/[secret]?free=1', 'the request is logged, its token masked')
  t.notOk(logged.includes(token), 'the token is not in the logs')
})

t.test('without PUBLIC_URL, the feed address is the one the GP reached the server by', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const res = await app.inject({ method: 'GET', url: '/api/feed', headers: { cookie: terr.users.gp.cookie, host: 'creneaux.cpts.test:8080' } })
  t.equal(res.statusCode, 200)
  t.match(res.json().url, /^http:\/\/creneaux\.cpts\.test:8080\/feeds\/[\w-]+\.ics$/, 'not a localhost a calendar elsewhere could not reach')
})
