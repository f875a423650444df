import t from 'tap'
import type { WaitingRequest, WaitingRequestDetail } from '../shared/schemas/waiting-list.js'
import type { Slot } from '../shared/schemas/slots.js'
import { ApiError } from '../web/lib/api.js'
import { todayIn } from '../web/lib/format.js'
import { EMPTY_PATIENT, NEW_CALL, reduce } from '../web/components/regulation-call.js'
import { claimOf, lastDayOf, rankedRequests, untilFor, waitChoices, waitedLabel, waitingRequest, type WaitOffer } from '../web/components/regulation-waiting.js'
import { WaitActions } from '../web/components/regulation-waiting-actions.js'
import { NOW, slot } from './helpers/regulation-slots.js'

/** The waiting list on /regulation, its pure rules and its actions (web/components/regulation-waiting*.ts). */

const ZONE = 'Europe/Paris'
const PLACE = { communeCode: '85234', commune: 'Saint-Jean-de-Monts', epci: '200000000', departement: '85' }
const request = (id: string, over: Partial<WaitingRequest> = {}): WaitingRequest => ({
  id, cptsId: null, callId: null, createdAt: '2030-07-13T08:00:00Z', place: PLACE, kind: 'snp', modes: ['office'],
  notAfter: '2030-07-15T22:00:00Z', hasTreatingGp: 'no', status: 'open', endedAt: null, bookingId: null, ...over
})
const COMMUNE = { code: '85234', name: 'Saint-Jean-de-Monts', departement: '85', postalCodes: ['85160'], epci: '200000000', territory: 'cpts' as const }
const OFFER: WaitOffer = { callId: 'call-1', commune: COMMUNE, kind: 'snp', hasTreatingGp: 'no', cptsId: 'cpts-1' }
const DRAFT = { ...EMPTY_PATIENT, lastName: 'Lebreton', firstName: 'Maëlle', birthDate: '04/03/1988', phone: '06 71 72 73 74', hasTreatingGp: 'no' as const }

t.test('how long the patient can wait gives the last day, in the territory, across a change of time', async (t) => {
  // 29 March 2026, the clocks go forward in Paris: 23:30 UTC on the 28th is already the 29th there.
  const today = todayIn(ZONE, Date.parse('2026-03-28T23:30:00Z'))
  t.equal(today, '2026-03-29', 'today in Paris, not in UTC')
  t.equal(untilFor(0, today), '2026-03-29', 'today only')
  t.equal(untilFor(1, today), '2026-03-30', 'tomorrow')
  t.equal(untilFor(14, today), '2026-04-12')
  t.equal(untilFor(40, today), '2026-04-12', 'never beyond MAX_WAIT_DAYS')
  t.equal(untilFor(-3, today), today, 'never before today')
  // The server ends the window at the start of the next local day: the list says the day itself.
  t.equal(lastDayOf('2026-03-29T22:00:00Z', ZONE), '2026-03-29', 'a 23-hour day (CEST from 02:00)')
  t.equal(lastDayOf('2026-10-25T23:00:00Z', ZONE), '2026-10-25', 'a 25-hour day (back to CET)')
  const choices = waitChoices('2026-10-24')
  t.equal(choices.length, 15, 'today, tomorrow, then up to 14 days')
  t.same(choices.slice(0, 3).map((c) => c.until), ['2026-10-24', '2026-10-25', '2026-10-26'])
  t.match(choices[0]!.label, /^Aujourd’hui seulement \(samedi 24 octobre/)
  t.match(choices[2]!.label, /^2 jours, jusqu’au lundi 26 octobre/)
})

t.test('the open requests, ranked as the server ranks them: best match, then the longest wait', async (t) => {
  const near = slot('near')
  const dept = slot('dept', { place: { ...near.place, communeCode: '85191', epci: '200000001' } })
  const slots = new Map<string, Slot>([[near.id, near], [dept.id, dept]])
  const requests = [
    request('none', { kind: 'psy', createdAt: '2030-07-12T08:00:00Z' }),
    request('late', { createdAt: '2030-07-13T08:30:00Z' }),
    request('early', { createdAt: '2030-07-13T07:00:00Z' }),
    request('other-epci', { place: { ...PLACE, commune: 'Notre-Dame-de-Monts', communeCode: '85164', epci: '200000001' }, createdAt: '2030-07-11T08:00:00Z' }),
    request('ended', { status: 'booked' })
  ]
  const ranked = rankedRequests(requests, slots, NOW, { kind: '', commune: '' })
  t.same(ranked.map((r) => [r.request.id, r.match?.slot.id ?? null, r.match?.rank ?? null]), [
    ['early', 'near', 0], ['late', 'near', 0], ['other-epci', 'dept', 1], ['none', null, null]
  ], 'same commune first, oldest first among equals; no match last; ended ones out')
  t.same(rankedRequests(requests, slots, NOW, { kind: 'psy', commune: '' }).map((r) => r.request.id), ['none'], 'by kind')
  t.same(rankedRequests(requests, slots, NOW, { kind: '', commune: 'saint jean' }).length, 3, 'the commune as typed: hyphens or spaces')
  t.same(rankedRequests(requests, slots, NOW, { kind: '', commune: 'NOTRE-DÂME' }).map((r) => r.request.id), ['other-epci'], 'accents and case folded')
  t.same(rankedRequests(requests, slots, NOW, { kind: '', commune: '85164' }).map((r) => r.request.id), ['other-epci'], 'or its INSEE code')

  // Claimed with a slot: that slot (held now, no longer free) stays its match.
  const held = { ...near, status: 'held' as const, hold: { by: 'me' as const, expiresAt: '2030-07-13T09:05:00Z' } }
  const claimed = request('early', { claim: { by: 'me', expiresAt: '2030-07-13T09:05:00Z', slotId: 'near' } })
  const after = rankedRequests([claimed], new Map([[held.id, held]]), NOW, { kind: '', commune: '' })
  t.same(after.map((r) => r.match?.slot.id), ['near'])
  t.equal(claimOf(claimed, NOW), 'me')
  t.equal(claimOf(claimed, Date.parse('2030-07-13T09:06:00Z')), null, 'a claim run out is nobody’s')
  t.equal(claimOf(request('x'), NOW), null)
})

t.test('how long the patient has waited, in French', async (t) => {
  t.equal(waitedLabel('2030-07-13T08:48:00Z', NOW), 'depuis 12 min')
  t.equal(waitedLabel('2030-07-13T06:55:00Z', NOW), 'depuis 2 h 05')
  t.equal(waitedLabel('2030-07-10T08:00:00Z', NOW), 'depuis 3 j')
})

t.test('the request is checked as the booking form is, then built for POST /api/waiting-list', async (t) => {
  const ok = waitingRequest(OFFER, { commune: COMMUNE, kind: 'psy', days: 2, modes: ['office', 'video'] }, { ...DRAFT, reason: ' Otite ' }, '2030-07-13')
  t.ok(ok.ok)
  if (ok.ok) {
    t.same(ok.body, {
      callId: 'call-1', cptsId: 'cpts-1', communeCode: '85234', kind: 'psy', modes: ['office', 'video'], until: '2030-07-15',
      patient: { lastName: 'Lebreton', firstName: 'Maëlle', birthDate: '1988-03-04', phone: '06 71 72 73 74' }, reason: 'Otite', hasTreatingGp: 'no'
    })
  }
  const bad = waitingRequest({ ...OFFER, callId: null }, { commune: null, kind: 'snp', days: 1, modes: [] }, { ...EMPTY_PATIENT }, '2030-07-13')
  t.notOk(bad.ok)
  if (!bad.ok) {
    t.same(Object.keys(bad.errors).sort(), ['communeCode', 'hasTreatingGp', 'modes', 'patient.birthDate', 'patient.firstName', 'patient.lastName', 'patient.phone'])
    t.equal(bad.errors['patient.lastName'], 'Champ obligatoire.', 'the booking form’s sentences')
  }
})

t.test('a call ended « aucun créneau » offers the waiting list until a new call or once used', async (t) => {
  const s = reduce(reduce({ ...NEW_CALL, commune: COMMUNE }, { type: 'endCallOpened' }), { type: 'endCallLogged', outcome: 'no_slot', offer: OFFER })
  t.same(s.waitOffer, OFFER)
  t.equal(s.commune, null, 'the next call starts empty')
  t.equal(reduce(s, { type: 'waitOfferTaken' }).waitOffer, null)
  t.equal(reduce(s, { type: 'newCall' }).waitOffer, null)
  t.equal(reduce(reduce(NEW_CALL, { type: 'endCallOpened' }), { type: 'endCallLogged', outcome: 'advice' }).waitOffer, null, 'only for « aucun créneau »')
})

const DETAIL: WaitingRequestDetail = {
  ...request('r1'), patient: { lastName: 'Lebreton', firstName: 'Maëlle', birthDate: '1988-03-04', phone: '0671727374' }, reason: null, endReason: null
}
const refused = (code: string): ApiError => new ApiError(409, { statusCode: 409, error: 'Conflict', code: code as never, message: code })

function waiting (answers: Record<string, unknown>) {
  const sent: Array<[string, string, unknown]> = []
  const focus: string[] = []
  const said: string[] = []
  let opened = 0
  const actions = new WaitActions({
    api: async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      sent.push([method, path, body])
      const a = answers[`${method} ${path}`]
      if (a instanceof Error) throw a
      return a as T
    },
    randomId: () => 'key-1',
    slotOf: (id) => id === 'near' ? slot('near') : undefined
  }, { focus: (s) => focus.push(s), announce: (s) => said.push(s), beforeOpen: () => { opened++ } })
  return { actions, sent, focus, said, opened: () => opened }
}

t.test('put on the list: the sentence to read, with the last day and the number', async (t) => {
  const w = waiting({ 'POST /api/waiting-list': DETAIL })
  w.actions.openForm(OFFER)
  t.equal(w.opened(), 1, 'the call’s own panel gives way')
  t.same(w.focus.at(-1), '#wl-days')
  w.actions.openForm(OFFER)
  t.equal(w.opened(), 1, 'l again: back to the form, not a new one')
  const body = waitingRequest(OFFER, { commune: COMMUNE, kind: 'snp', days: 1, modes: ['office'] }, DRAFT, '2030-07-13')
  if (!body.ok) throw new Error('invalid')
  await w.actions.submitForm(body.body)
  const p = w.actions.state.panel
  t.equal(p?.name, 'done')
  if (p?.name === 'done') t.match(p.sentence, 'jusqu’au dimanche 14 juillet 2030. Dès qu’un créneau correspondant se libère, un régulateur vous rappelle au 06\u00a071\u00a072\u00a073\u00a074')
  t.same(w.focus.at(-1), '#wl-new-call')

  const f = waiting({ 'POST /api/waiting-list': refused('WAITING_WINDOW_PAST') })
  f.actions.openForm(OFFER)
  await f.actions.submitForm(body.body)
  const fp = f.actions.state.panel
  t.equal(fp?.name === 'form' ? fp.error : null, 'Le délai d’attente est déjà passé : choisissez aujourd’hui ou un jour suivant.', 'the server’s code in French')
})

t.test('a request claimed with its slot, booked after its confirmation; refusals in French', async (t) => {
  const w = waiting({
    'POST /api/waiting-list/r1/claim': { request: DETAIL, expiresAt: '2030-07-13T09:05:00Z' },
    'POST /api/waiting-list/r1/booking': { booking: { id: 'b1' } }
  })
  await w.actions.claim(request('r1'), 'near')
  t.same(w.sent.at(-1), ['POST', '/api/waiting-list/r1/claim', { slotId: 'near' }], 'the slot held in the same request')
  t.same(w.focus.at(-1), '#wl-book')
  w.actions.askBook()
  w.actions.cancelBook()
  await w.actions.extend()
  t.same(w.sent.at(-1), ['POST', '/api/waiting-list/r1/claim', { slotId: 'near' }], '« Prolonger » claims again')
  t.same(w.said, ['Délai prolongé.'])
  w.sent.length = 0
  await w.actions.book()
  t.equal(w.sent.length, 0, 'nothing booked before the confirmation')
  w.actions.askBook()
  t.same(w.focus.at(-1), '#wl-book-confirm')
  w.actions.cancelBook()
  t.same(w.focus.at(-1), '#wl-book')
  w.actions.askBook()
  await w.actions.book()
  t.same(w.sent.at(-1), ['POST', '/api/waiting-list/r1/booking', { slotId: 'near', idempotencyKey: 'key-1' }])
  const p = w.actions.state.panel
  t.same(p?.name === 'booked' ? [p.slot.id, p.booking.id, p.patientName] : null, ['near', 'b1', 'LEBRETON Maëlle'])
  t.same(w.focus.at(-1), '#new-call')

  const by = waiting({ 'POST /api/waiting-list/r1/claim': { request: DETAIL, expiresAt: '2030-07-13T09:05:00Z' } })
  await by.actions.claim(request('r1'), null)
  t.same(by.sent.at(-1), ['POST', '/api/waiting-list/r1/claim', {}], 'a call back by hand: no slot')
  t.same(by.focus.at(-1), '#wl-phone')

  const lost = waiting({ 'POST /api/waiting-list/r1/claim': refused('REQUEST_CLAIMED') })
  await lost.actions.claim(request('r1'), 'near')
  t.equal(lost.actions.state.panel, null)
  t.equal(lost.actions.state.listError, 'Cette demande de la liste d’attente est déjà prise en charge par un autre régulateur.')
  t.same(lost.focus.at(-1), '[data-request-id="r1"]', 'back on its row')
})

t.test('given back (Échap) or withdrawn with a reason', async (t) => {
  const w = waiting({
    'POST /api/waiting-list/r1/claim': { request: DETAIL, expiresAt: '2030-07-13T09:05:00Z' },
    'DELETE /api/waiting-list/r1/claim': request('r1'),
    'POST /api/waiting-list/r1/withdrawal': refused('REQUEST_ENDED')
  })
  await w.actions.claim(request('r1'), 'near')
  await w.actions.withdraw('Va mieux')
  t.same(w.sent.at(-1), ['POST', '/api/waiting-list/r1/withdrawal', { reason: 'Va mieux' }])
  const p = w.actions.state.panel
  t.equal(p?.name === 'claim' ? p.error : null, 'Cette demande de la liste d’attente est close (réservée, retirée ou expirée).')
  w.actions.close('#wl-title')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(w.sent.at(-1), ['DELETE', '/api/waiting-list/r1/claim', undefined], 'closing gives the claim back')
  t.equal(w.actions.state.panel, null)
  t.same(w.focus.at(-1), '[data-request-id="r1"]')
})
