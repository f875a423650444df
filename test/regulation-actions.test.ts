import t from 'tap'
import { inSeconds, NOW, slot } from './helpers/regulation-slots.js'
import type { Booking, BookingBody, Slot } from '../shared/schemas/slots.js'
import { BoardActions, callError, type BoardIo, type FocusTarget } from '../web/components/regulation-actions.js'
import { CallStore, heldSlot, NEW_CALL, type CallState } from '../web/components/regulation-call.js'
import { keyTakesText } from '../web/components/regulation-keys.js'
import type { Commune } from '../web/components/regulation-model.js'
import { ApiError } from '../web/lib/api.js'

/**
 * What /regulation's buttons and keys do (web/components/regulation-actions.ts), with the socket
 * and the API faked: the requests sent, what the call shows next, where the focus goes and what
 * the live region says. No browser.
 */

const heldByMe = (id: string): Slot => slot(id, { status: 'held', hold: { by: 'me', expiresAt: inSeconds(180) } })
const COMMUNE: Commune = { code: '85234', name: 'Saint-Jean-de-Monts', departement: '85', postalCodes: ['85160'], epci: '200000000', territory: 'cpts' }
const PATIENT = { lastName: 'Moreau', firstName: 'Léa', birthDate: '14/03/1987', phone: '06 12 34 56 78', hasTreatingGp: 'no' as const }
const BOOKING: Booking = {
  id: 'booking-1', slotId: 'a', status: 'booked', reason: null, hasTreatingGp: 'no',
  bookedBy: { id: 'reg-1', name: 'Julie Morel' }, bookedAt: inSeconds(0),
  patient: { lastName: 'Moreau', firstName: 'Léa', birthDate: '1987-03-14', phone: '0612345678' },
  slot: { start: '2030-07-14T08:00:00Z', end: '2030-07-14T08:20:00Z', kind: 'snp', mode: 'office', practitionerId: 'gp-1', practitionerName: 'Claire Martin', cptsId: 'cpts-1' }
}
const refused = (code: string): ApiError => new ApiError(409, { statusCode: 409, error: 'Conflict', code: code as never, message: code })

/** A board on fakes: `answers` says how each request ends (a value, or an error thrown). */
function board (initial: CallState = NEW_CALL) {
  const calls = new CallStore(initial)
  const sent: Array<{ what: string, args: unknown[] }> = []
  const focus: FocusTarget[] = []
  const announced: string[] = []
  const focusedIds: Array<string | null> = []
  let kindShown = 0
  const answers: Record<string, unknown> = {}
  const answer = async <T>(what: string, ...args: unknown[]): Promise<T> => {
    sent.push({ what, args })
    const a = answers[what]
    if (a instanceof Error) throw a
    return a as T
  }
  const io: BoardIo = {
    live: {
      hold: async (id) => await answer('hold', id),
      release: async (id) => await answer('release', id),
      book: async (id: string, body: BookingBody) => await answer('book', id, body),
      cancel: async (id, reason) => await answer('cancel', id, reason),
      fire: (cmd) => { sent.push({ what: 'fire', args: [cmd] }) }
    },
    api: async <T>(method: string, path: string, body?: unknown): Promise<T> => await answer<T>(`${method} ${path.split('?')[0]!}`, path, body),
    randomId: () => 'key-1',
    zoneOfCpts: () => 'Europe/Paris',
    today: () => '2030-07-13'
  }
  const actions = new BoardActions(calls, io, {
    announce: (text) => announced.push(text),
    focus: (target) => focus.push(target),
    setFocusedId: (id) => focusedIds.push(id),
    showCallKind: () => { kindShown++ }
  })
  return { calls, actions, sent, focus, announced, focusedIds, answers, kindShown: () => kindShown }
}

/** A board holding slot `a`, the patient typed in. */
async function holding (over: Partial<CallState> = {}) {
  const b = board({ ...NEW_CALL, ...over })
  b.answers.hold = { slot: heldByMe('a'), expiresAt: inSeconds(180) }
  b.calls.dispatch({ type: 'draftEdited', patch: PATIENT })
  await b.actions.hold(slot('a'))
  return b
}

t.test('holding a slot opens the form with the focus on it; the same slot again only takes the focus back', async (t) => {
  const b = await holding()
  t.same(b.sent.map((s) => s.what), ['hold'])
  t.equal(heldSlot(b.calls.state)?.id, 'a')
  t.same(b.focus, [{ to: 'form' }], 'the form takes the focus')
  t.same(b.focusedIds, ['a'], 'its row keeps the tab stop')
  await b.actions.hold(slot('a'))
  t.same(b.sent.map((s) => s.what), ['hold'], 'nothing sent again')
  t.same(b.focus.at(-1), { to: 'element', selector: '#pt-last' })
})

t.test('holding another slot lets the first go', async (t) => {
  const b = await holding()
  b.answers.hold = { slot: heldByMe('b'), expiresAt: inSeconds(180) }
  await b.actions.hold(slot('b'))
  t.same(b.sent.map((s) => [s.what, s.args[0]]), [['hold', 'a'], ['hold', 'b'], ['release', 'a']])
  t.equal(heldSlot(b.calls.state)?.id, 'b')
})

t.test('a race lost: told in the panel and the live region, the focus on the row', async (t) => {
  const b = board()
  b.answers.hold = refused('SLOT_HELD')
  await b.actions.hold(slot('a'))
  t.equal(b.calls.state.phase.name, 'list')
  t.match(b.calls.state.notice?.text, /Choisissez un autre créneau\.$/)
  t.match(b.announced, [/Choisissez un autre créneau\.$/])
  t.same(b.focus, [{ to: 'row', id: 'a' }])
})

t.test("another kind than the call's is confirmed before anything is held", async (t) => {
  const b = board()
  b.answers.hold = { slot: heldByMe('p'), expiresAt: inSeconds(180) }
  await b.actions.hold(slot('p', { kind: 'psy' }))
  t.same(b.sent, [], 'nothing sent')
  t.equal(b.calls.state.kindCheck?.id, 'p')
  t.same(b.focus, [{ to: 'element', selector: '#kind-confirm' }])
  b.actions.closeKindCheck()
  t.equal(b.calls.state.kindCheck, null)
  t.same(b.focus.at(-1), { to: 'row', id: 'p' }, 'Échap: back on its row')
  await b.actions.hold(slot('p', { kind: 'psy' }))
  await b.actions.confirmKind()
  t.same(b.sent.map((s) => s.what), ['hold'], 'confirmed: held')
  t.equal(heldSlot(b.calls.state)?.id, 'p')
})

t.test('booking: checked first, then sent; the confirmation, then the call log with the commune', async (t) => {
  const b = await holding({ commune: COMMUNE })
  b.calls.dispatch({ type: 'draftEdited', patch: { phone: '12' } })
  await b.actions.book()
  t.same(b.sent.map((s) => s.what), ['hold'], 'a wrong phone number: nothing sent')
  t.same(b.focus.at(-1), { to: 'element', selector: '#pt-phone' }, 'the focus on the wrong field')

  b.calls.dispatch({ type: 'draftEdited', patch: { phone: PATIENT.phone } })
  b.answers.book = { ...BOOKING, id: 'booking-2' }
  b.answers['POST /api/calls'] = { id: 'call-1' }
  await b.actions.book()
  t.equal(b.calls.state.phase.name, 'booked')
  t.same(b.focus.at(-1), { to: 'confirmation' })
  const log = b.sent.find((s) => s.what === 'POST /api/calls')
  t.same(log?.args[1], { outcome: 'booked', kind: 'snp', hasTreatingGp: 'no', bookingId: 'booking-2', cptsId: 'cpts-1', communeCode: '85234' })
  t.equal(b.calls.state.phase.name === 'booked' && b.calls.state.phase.callLog, 'ok')
})

t.test('a booking refused because the slot was taken: back to the list, said, the focus on its row', async (t) => {
  const b = await holding()
  b.answers.book = refused('SLOT_TAKEN')
  await b.actions.book()
  t.equal(b.calls.state.phase.name, 'list')
  t.equal(b.announced.length, 1)
  t.same(b.focus.at(-1), { to: 'row', id: 'a' })
  t.equal(b.calls.state.draft.lastName, 'Moreau', 'the patient kept for the next slot')
})

t.test('a call log that fails can be retried', async (t) => {
  const b = await holding()
  b.answers.book = BOOKING
  b.answers['POST /api/calls'] = new Error('offline')
  await b.actions.book()
  t.equal(b.calls.state.phase.name === 'booked' && b.calls.state.phase.callLog, 'error')
  b.answers['POST /api/calls'] = {}
  await b.actions.logBooked(null)
  t.equal(b.calls.state.phase.name === 'booked' && b.calls.state.phase.callLog, 'ok')
})

t.test('extend and release', async (t) => {
  const b = await holding()
  b.answers.hold = { slot: heldByMe('a'), expiresAt: inSeconds(300) }
  await b.actions.extend()
  t.equal(b.calls.state.phase.name === 'hold' && b.calls.state.phase.expiresAt, inSeconds(300))
  t.same(b.announced, ['Délai prolongé.'])
  b.answers.hold = refused('SLOT_TAKEN')
  await b.actions.extend()
  t.equal(b.calls.state.phase.name, 'list', 'lost while extending: back to the list')

  const c = await holding()
  c.answers.release = slot('a')
  await c.actions.release()
  t.equal(c.calls.state.phase.name, 'list')
  t.same(c.focus.at(-1), { to: 'row', id: 'a' })
  const d = await holding()
  d.answers.release = new ApiError(0, { statusCode: 0, error: 'Offline', code: 'OFFLINE' as never, message: 'offline' })
  await d.actions.release()
  t.equal(d.calls.state.notice?.kind, 'warn', 'offline: it will expire by itself, said so')
})

t.test('the feed takes the hold away: said, the focus on the row', async (t) => {
  const b = await holding()
  b.actions.followHold('a', undefined, NOW)
  t.equal(b.calls.state.phase.name, 'list')
  t.match(b.announced, [/n'est plus disponible/])
  t.same(b.focus.at(-1), { to: 'row', id: 'a' })
  b.actions.followHold('z', undefined, NOW)
  t.equal(b.announced.length, 1, "another slot's news changes nothing")
})

t.test('leaving the page, a new call, the end-of-call form and the call-back panel let the hold go', async (t) => {
  const b = await holding()
  b.actions.leave()
  t.same(b.sent.at(-1), { what: 'fire', args: [{ type: 'release', slotId: 'a' }] })
  b.answers.release = slot('a')
  b.actions.openEndCall()
  t.same(b.sent.at(-1)?.what, 'release')
  t.equal(b.calls.state.phase.name, 'endcall')
  b.actions.openEndCall()
  t.same(b.focus.at(-1), { to: 'element', selector: '#end-call-form input:checked, #end-call-form input' }, 'pressed again: the focus back in the form')
  b.actions.closeEndCall()
  t.equal(b.calls.state.phase.name, 'list')

  const c = await holding()
  c.answers.release = slot('a')
  c.actions.openCallback()
  t.same(c.sent.at(-1)?.what, 'release')
  t.same(c.focus.at(-1), { to: 'element', selector: '#cb-q' })
  c.actions.closeCallback()
  t.same(c.focus.at(-1), { to: 'element', selector: '#callback-open' })

  const d = await holding({ commune: COMMUNE })
  d.answers.release = slot('a')
  d.actions.newCall()
  t.same(d.calls.state.commune, null, 'nothing of the last patient')
  t.same(d.focus.at(-1), { to: 'element', selector: '#patient-commune' })
})

t.test('end of call: the outcome logged with the commune and the CPTS filtered on', async (t) => {
  const b = board({ ...NEW_CALL, commune: COMMUNE })
  b.actions.openEndCall()
  b.answers['POST /api/calls'] = { id: 'call-1' }
  await b.actions.submitEndCall({ outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'unknown' }, 'cpts-2')
  t.same(b.sent.at(-1)?.args[1], { outcome: 'no_slot', kind: 'snp', hasTreatingGp: 'unknown', communeCode: '85234', cptsId: 'cpts-2' })
  t.equal(b.calls.state.phase.name, 'list')
  t.equal(b.calls.state.notice?.kind, 'ok')
  t.same(b.calls.state.waitOffer, { callId: 'call-1', commune: COMMUNE, kind: 'snp', hasTreatingGp: 'unknown', cptsId: 'cpts-2' }, 'no slot: the waiting list offered, linked to the call')
  t.same(b.focus.at(-1), { to: 'element', selector: '#wl-offer' }, 'its button takes the focus: Entrée puts the patient on the list')

  const c = board()
  c.actions.openEndCall()
  c.answers['POST /api/calls'] = refused('INTERNAL')
  await c.actions.submitEndCall({ outcome: 'other', kind: 'psy', hasTreatingGp: 'yes' }, '')
  t.same(c.sent.at(-1)?.args[1], { outcome: 'other', kind: 'psy', hasTreatingGp: 'yes' })
  t.equal(c.calls.state.phase.name === 'endcall' && c.calls.state.phase.error !== null, true, 'its error shown in the form')
})

t.test('a patient calls back: search, cancel', async (t) => {
  const b = board()
  b.actions.openCallback()
  b.answers['GET /api/bookings/search'] = [BOOKING]
  t.same(await b.actions.searchBookings('moreau 14/03/1987'), [BOOKING])
  t.equal(b.sent.at(-1)?.args[0], '/api/bookings/search?q=moreau%2014%2F03%2F1987')

  b.answers.cancel = refused('BOOKING_NOT_FOUND')
  t.type(await b.actions.cancelBooking(BOOKING, 'va mieux'), 'string', 'refused: the French reason, for the panel')
  t.equal(b.calls.state.phase.name, 'callback', 'the panel stays')
  b.answers.cancel = { ...BOOKING, status: 'cancelled' }
  t.equal(await b.actions.cancelBooking(BOOKING, 'va mieux'), null)
  t.same(b.sent.at(-1)?.args, ['booking-1', 'va mieux'])
  t.match(b.calls.state.notice?.text, /^Rendez-vous du .* avec le Dr Claire Martin annulé : le créneau est de nouveau libre\.$/)
  t.equal(b.announced.at(-1), b.calls.state.notice?.text, 'and announced')
})

t.test("moving a booking ranks the list by the commune its call recorded, in the booking's kind", async (t) => {
  const b = board({ ...NEW_CALL, phase: { name: 'callback' } })
  const psy: Booking = { ...BOOKING, slot: { ...BOOKING.slot!, kind: 'psy' }, patientCommune: { ...COMMUNE, territory: 'cpts' } }
  b.actions.startMove(psy)
  t.same(b.calls.state.commune, COMMUNE, "the list is ranked by the booking's commune")
  t.equal(b.calls.state.communeText, 'Saint-Jean-de-Monts (85160)')
  t.equal(b.calls.state.kind, 'psy', 'and shows its kind')
  t.equal(b.kindShown(), 1, '« Type » back to the call\'s kind')
  t.same(b.focus, [{ to: 'list' }])

  const other: Commune = { ...COMMUNE, code: '85222', name: 'Saint-Hilaire-de-Riez', postalCodes: ['85270'] }
  const c = board({ ...NEW_CALL, commune: other, phase: { name: 'callback' } })
  c.actions.startMove(BOOKING)
  t.same(c.calls.state.commune, other, 'no commune recorded: the one this call has stays')

  b.answers.hold = { slot: heldByMe('b'), expiresAt: inSeconds(180) }
  await b.actions.hold(slot('b', { kind: 'psy' }))
  t.same(b.focus.at(-1), { to: 'element', selector: '#move-confirm' }, '"Déplacer ici" takes the focus')
  b.answers['POST /api/bookings/booking-1/move'] = { booking: { ...BOOKING, id: 'booking-3' }, previous: { ...BOOKING, status: 'cancelled' } }
  await b.actions.book()
  t.same(b.sent.at(-1)?.args, ['/api/bookings/booking-1/move', { slotId: 'b' }], 'Ctrl+Entrée moves')
  t.same(b.calls.state.phase.name === 'booked' ? [b.calls.state.phase.booking.id, b.calls.state.phase.movedFrom, b.calls.state.phase.patientName] : null,
    ['booking-3', 'booking-1', 'MOREAU Léa'])
  t.same(b.focus.at(-1), { to: 'confirmation' })
})

t.test('a move abandoned lets the new slot go; a move refused keeps the move going', async (t) => {
  const b = board({ ...NEW_CALL, phase: { name: 'callback' } })
  b.actions.startMove(BOOKING)
  b.answers.hold = { slot: heldByMe('b'), expiresAt: inSeconds(180) }
  await b.actions.hold(slot('b'))
  b.answers['POST /api/bookings/booking-1/move'] = refused('SLOT_TAKEN')
  await b.actions.move()
  t.equal(b.calls.state.moving?.id, 'booking-1')
  t.same(b.focus.at(-1), { to: 'row', id: 'b' })
  b.answers.hold = { slot: heldByMe('c'), expiresAt: inSeconds(180) }
  await b.actions.hold(slot('c'))
  b.answers.release = slot('c')
  b.actions.abandonMove()
  t.equal(b.calls.state.moving, null)
  t.equal(b.calls.state.phase.name, 'list')
  t.same(b.sent.at(-1), { what: 'release', args: ['c'] })
  t.equal(b.announced.at(-1), 'Déplacement abandonné : le rendez-vous reste inchangé.')
})

t.test('errors as the call reads them', async (t) => {
  t.same(callError(new Error('boom')), { code: '', french: 'Erreur inattendue. Réessayez.' })
  const v = callError(new ApiError(400, { statusCode: 400, error: 'Bad Request', code: 'VALIDATION', message: 'x', details: [{ path: ['patient', 'phone'], message: 'bad', code: 'custom' }] }))
  t.equal(v.code, 'VALIDATION')
  t.ok(v.fieldErrors !== undefined && 'patient.phone' in v.fieldErrors, 'by field')
})

t.test("the page's shortcuts work from every control that takes no text", async (t) => {
  const fieldset = { tagName: 'FIELDSET', parentElement: null }
  const label = { tagName: 'LABEL', parentElement: fieldset }
  t.notOk(keyTakesText({ tagName: 'INPUT', type: 'radio', parentElement: label }), 'a radio button')
  t.notOk(keyTakesText({ tagName: 'INPUT', type: 'checkbox' }), 'a check box')
  t.notOk(keyTakesText({ tagName: 'BUTTON' }), 'a button')
  t.notOk(keyTakesText({ tagName: 'LI', parentElement: { tagName: 'UL' } }), 'a row of the list')
  t.notOk(keyTakesText(null), 'nothing focused')
  t.ok(keyTakesText({ tagName: 'INPUT', type: 'text' }), 'a text field')
  t.ok(keyTakesText({ tagName: 'INPUT' }), 'a field with no type is a text field')
  t.ok(keyTakesText({ tagName: 'INPUT', type: 'tel' }), 'a phone field')
  t.ok(keyTakesText({ tagName: 'TEXTAREA' }), 'a text area')
  t.ok(keyTakesText({ tagName: 'SELECT' }), 'a select (its letters choose an option)')
  t.ok(keyTakesText({ tagName: 'OPTION', parentElement: { tagName: 'SELECT' } }), 'inside a select')
  t.ok(keyTakesText({ tagName: 'DIV', isContentEditable: true }), 'an editable element')
})
