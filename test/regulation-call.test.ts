import t from 'tap'
import { inSeconds, NOW, slot } from './helpers/regulation-slots.js'
import type { Booking, Slot } from '../shared/schemas/slots.js'
import {
  bookingRequest, CallStore, endCallDefaults, firstInvalidField, followFeed, heldSlot, holdBusy, holdExpired, isOwnSlot, NEW_CALL,
  reduce, shortcutsPaused, type CallAction, type CallState
} from '../web/components/regulation-call.js'
import type { Commune, PractitionerRef } from '../web/components/regulation-model.js'

/**
 * The call in progress on /regulation (web/components/regulation-call.ts), told as what the
 * regulator sees: the list, a slot held while the form is filled in, the confirmation, the
 * end-of-call form; and what the live feed or a late reply does to it.
 */

const heldByMe = (id: string, expiresAt: string): Slot => slot(id, { status: 'held', hold: { by: 'me', expiresAt } })
const heldByOther = (id: string): Slot => slot(id, { status: 'held', hold: { by: 'other', expiresAt: inSeconds(180) } })

const BOOKING: Booking = {
  id: 'booking-1', slotId: 'a', status: 'booked', reason: null, hasTreatingGp: 'no',
  bookedBy: { id: 'reg-1', name: 'Julie Morel' }, bookedAt: inSeconds(0)
}
const COMMUNE: Commune = { code: '85234', name: 'Saint-Jean-de-Monts', departement: '85', postalCodes: ['85160'], epci: '200000000' }
const GP: PractitionerRef = { id: 'gp-1', name: 'Claire Martin', rpps: '10000000421', profession: 'gp', commune: 'Saint-Jean-de-Monts' }
const PATIENT = { lastName: 'Moreau', firstName: 'Léa', birthDate: '14/03/1987', phone: '06 12 34 56 78', hasTreatingGp: 'no' as const }

const run = (s: CallState, ...actions: CallAction[]): CallState => actions.reduce(reduce, s)
/** Slot `a` held for three minutes, the patient typed in. */
const holding = (): CallState => run(NEW_CALL,
  { type: 'draftEdited', patch: PATIENT },
  { type: 'holdRequested', slotId: 'a' },
  { type: 'holdGranted', slot: heldByMe('a', inSeconds(180)), expiresAt: inSeconds(180), key: 'key-1' })
/** Slot `a` booked for the patient, the confirmation on screen. */
const booked = (): CallState => run(holding(),
  { type: 'bookRequested', slotId: 'a' },
  { type: 'booked', slot: slot('a'), booking: BOOKING, patientName: 'MOREAU Léa', hasTreatingGp: 'no' })

t.test('holding a slot: shortcuts wait for the form, which opens on the slot with its countdown', async (t) => {
  const asked = run(NEW_CALL, { type: 'holdRequested', slotId: 'a' })
  t.equal(asked.phase.name, 'list', 'the list stays until the server answers')
  t.ok(shortcutsPaused(asked), 'keystrokes are kept for the form that opens')
  t.equal(run(asked, { type: 'holdRequested', slotId: 'b' }), asked, 'a second slot cannot be held meanwhile')

  const s = holding()
  t.equal(heldSlot(s)?.id, 'a', 'the form is on the slot held')
  t.notOk(shortcutsPaused(s), 'shortcuts work again')
  t.notOk(holdExpired(s, NOW), 'the hold runs')
  t.ok(isOwnSlot(s, 'a'), "the feed's news about it is this page's own, not announced")
  t.equal(run(s, { type: 'holdRequested', slotId: 'a' }), s, 'holding it again changes nothing')
})

t.test('a refused hold says why, on the list', async (t) => {
  const s = run(NEW_CALL, { type: 'holdRequested', slotId: 'a' },
    { type: 'holdRefused', error: { code: 'SLOT_HELD', french: 'Ce créneau est en cours de réservation par un autre régulateur.' } })
  t.equal(s.phase.name, 'list')
  t.same(s.notice, { kind: 'error', text: 'Ce créneau est en cours de réservation par un autre régulateur. Choisissez un autre créneau.' })
  t.notOk(shortcutsPaused(s), 'another slot can be held')
})

t.test('a hold lost to another regulator returns to the list with the right message, the patient kept', async (t) => {
  const s = holding()
  const seen = followFeed(s, 'a', heldByOther('a'), NOW)
  t.same(seen, { type: 'holdLost', slotId: 'a', code: 'SLOT_HELD' }, 'held by someone else: lost')
  const lost = run(s, seen!)
  t.equal(lost.phase.name, 'list', 'back to the list')
  t.same(lost.notice, {
    kind: 'error',
    text: 'Ce créneau est en cours de réservation par un autre régulateur. Choisissez un autre créneau : les informations du patient sont conservées.'
  })
  t.equal(lost.draft.lastName, 'Moreau', 'what was typed about the patient stays for the next slot')

  const gone = run(s, followFeed(s, 'a', undefined, NOW)!)
  t.match(gone.notice?.text, /^Ce créneau n'est plus disponible\. Choisissez un autre créneau/, 'gone from the feed: taken')
  t.equal(followFeed(s, 'b', undefined, NOW), null, "another slot's news does not touch the hold")
})

t.test('an expired hold shows « Délai écoulé »; "Prolonger" takes it back', async (t) => {
  const s = holding()
  t.ok(holdExpired(s, NOW + 180_000), 'three minutes later the hold has run out')

  // The server released it before our clock said so: the feed shows it free.
  const free = followFeed(s, 'a', slot('a'), NOW + 60_000)
  t.same(free, { type: 'holdUntil', slotId: 'a', expiresAt: inSeconds(60) })
  const expired = run(s, free!)
  t.ok(holdExpired(expired, NOW + 60_000), '« Délai écoulé » at once')
  t.equal(heldSlot(expired)?.id, 'a', 'the form stays, to extend')

  const asked = run(expired, { type: 'extendRequested' })
  t.equal(holdBusy(asked), 'extend', '"Prolongation…"')
  t.equal(followFeed(asked, 'a', slot('a'), NOW + 61_000), null, 'free while the extension is on its way: not a new expiry')
  const back = run(asked, { type: 'extended', slotId: 'a', slot: heldByMe('a', inSeconds(240)), expiresAt: inSeconds(240) })
  t.notOk(holdExpired(back, NOW + 61_000), 'held again')
  t.equal(holdBusy(back), null, '"Prolonger" again')

  const elsewhere = followFeed(back, 'a', heldByMe('a', inSeconds(400)), NOW)
  t.same(elsewhere, { type: 'holdUntil', slotId: 'a', expiresAt: inSeconds(400) }, 'extended from elsewhere: the new end is followed')
})

t.test('booking moves to the confirmation, then the call log is written', async (t) => {
  const sending = run(holding(), { type: 'bookRequested', slotId: 'a' })
  t.equal(holdBusy(sending), 'book', '"Réservation…"')
  t.equal(run(sending, { type: 'extendRequested' }), sending, '"Prolonger" waits')
  t.equal(run(sending, { type: 'releaseRequested' }), sending, '"Annuler" waits')
  t.equal(followFeed(sending, 'a', undefined, NOW), null, 'the slot leaving the feed is our own booking, not a loss')

  const s = booked()
  t.equal(s.phase.name, 'booked', 'the confirmation')
  t.ok(isOwnSlot(s, 'a'), 'its "Créneau pris" is not announced')
  t.notOk(shortcutsPaused(s))
  if (s.phase.name !== 'booked') return
  t.equal(s.phase.patientName, 'MOREAU Léa')
  t.equal(s.phase.callLog, 'pending')
  t.equal(run(s, { type: 'callLogged', bookingId: 'another', ok: true }), s, "another booking's log does not touch it")
  const logged = run(s, { type: 'callLogged', bookingId: 'booking-1', ok: false })
  t.equal(logged.phase.name === 'booked' && logged.phase.callLog, 'error', 'a failed log can be retried')
})

t.test('a booking that fails keeps the form, with what to do', async (t) => {
  const sending = run(holding(), { type: 'bookRequested', slotId: 'a' })
  const invalid = run(sending, {
    type: 'bookFailed', slotId: 'a',
    error: { code: 'VALIDATION', french: 'Certains champs sont invalides.', fieldErrors: { 'patient.phone': 'Numéro de téléphone invalide' } }
  })
  t.equal(invalid.phase.name, 'hold', 'still on the form')
  t.same(invalid.errors, { 'patient.phone': 'Numéro de téléphone invalide' }, 'the error under its field')
  t.equal(invalid.formError, 'Certains champs sont invalides.')
  t.equal(holdBusy(invalid), null, 'it can be sent again')

  const offline = run(sending, { type: 'bookFailed', slotId: 'a', error: { code: 'OFFLINE', french: 'Connexion au serveur interrompue.' } })
  t.equal(offline.formError, 'Connexion au serveur interrompue. Un nouvel envoi ne réservera pas deux fois.')

  const taken = run(sending, { type: 'bookFailed', slotId: 'a', error: { code: 'SLOT_TAKEN', french: "Ce créneau n'est plus disponible." } })
  t.equal(taken.phase.name, 'list', 'taken meanwhile: back to the list')
  t.match(taken.notice?.text, /les informations du patient sont conservées/)
})

t.test('a late reply for a slot no longer held is ignored', async (t) => {
  const released = run(holding(), { type: 'extendRequested' }, { type: 'releaseRequested' }, { type: 'released', slotId: 'a', offline: false })
  t.equal(released.phase.name, 'list', '"Annuler": back to the list')
  for (const late of [
    { type: 'extended', slotId: 'a', slot: heldByMe('a', inSeconds(240)), expiresAt: inSeconds(240) },
    { type: 'extendFailed', slotId: 'a', error: { code: 'SLOT_HELD', french: 'Ce créneau est en cours de réservation par un autre régulateur.' } },
    { type: 'holdUntil', slotId: 'a', expiresAt: inSeconds(0) },
    { type: 'bookFailed', slotId: 'a', error: { code: 'INTERNAL', french: 'Erreur interne du serveur. Réessayez.' } }
  ] satisfies CallAction[]) {
    t.equal(run(released, late), released, `${late.type} for the slot let go changes nothing`)
  }

  // Now holding b: a's late replies do not touch b's form.
  const onB = run(released, { type: 'holdRequested', slotId: 'b' }, { type: 'holdGranted', slot: heldByMe('b', inSeconds(180)), expiresAt: inSeconds(180), key: 'key-2' })
  const late = run(onB, { type: 'released', slotId: 'a', offline: false }, { type: 'extended', slotId: 'a', slot: heldByMe('a', inSeconds(999)), expiresAt: inSeconds(999) })
  t.equal(heldSlot(late)?.id, 'b', "b's form stays")
  t.equal(late.phase.name === 'hold' && late.phase.expiresAt, inSeconds(180), "b's countdown is its own")

  const offline = run(holding(), { type: 'releaseRequested' }, { type: 'released', slotId: 'a', offline: true })
  t.same(offline.notice, { kind: 'warn', text: 'Connexion interrompue : le créneau sera libéré de lui-même à la fin du délai.' }, 'released offline: said so')
})

t.test('a new call resets everything about the last patient', async (t) => {
  const typed = run(booked(),
    { type: 'communeTyped', text: 'Saint-Jean' },
    { type: 'communesFound', list: [COMMUNE] },
    { type: 'communeChosen', commune: COMMUNE },
    { type: 'gpChosen', gp: GP })
  t.equal(typed.communeText, 'Saint-Jean-de-Monts (85160)', 'the commune chosen, with its postal code')
  t.equal(typed.gpText, 'Dr Claire Martin')
  t.same(reduce(typed, { type: 'newCall' }), NEW_CALL, '"Nouvel appel": an empty call on the list')

  const next = run(typed, { type: 'holdRequested', slotId: 'b' })
  t.equal(next.draft.lastName, '', 'holding a slot from the confirmation starts the next call')
  t.equal(next.commune, null)
  t.ok(shortcutsPaused(next), 'with that hold on its way')

  // A booking answered after "Nouvel appel" is still shown: the patient has an appointment.
  const sending = run(holding(), { type: 'bookRequested', slotId: 'a' }, { type: 'newCall' })
  t.ok(isOwnSlot(sending, 'a'), 'the slot being booked is still our own')
  const shown = run(sending, { type: 'booked', slot: slot('a'), booking: BOOKING, patientName: 'MOREAU Léa', hasTreatingGp: 'no' })
  t.equal(shown.phase.name, 'booked')
})

t.test('the treating GP answers "A un médecin traitant ?" unless it was answered', async (t) => {
  t.equal(run(NEW_CALL, { type: 'gpChosen', gp: GP }).draft.hasTreatingGp, 'yes')
  t.equal(run(NEW_CALL, { type: 'draftEdited', patch: { hasTreatingGp: 'unknown' } }, { type: 'gpChosen', gp: GP }).draft.hasTreatingGp, 'unknown')
  const typing = run(NEW_CALL, { type: 'gpChosen', gp: GP }, { type: 'gpTyped', text: 'Dr Claire' })
  t.equal(typing.gp, null, 'typing again drops the choice')
})

t.test('end of call without booking: sent once, its error shown, then ready for the next call', async (t) => {
  const open = run(holding(), { type: 'endCallOpened' })
  t.equal(open.phase.name, 'endcall')
  const proposed = endCallDefaults(run(NEW_CALL, { type: 'gpChosen', gp: GP }), { gpFree: 0, freeCount: 4, kind: '' })
  t.same(proposed, { outcome: 'redirected_treating_gp', kind: 'snp', hasTreatingGp: 'yes' }, 'the GP has no free slot: redirect to the GP')
  t.equal(endCallDefaults(NEW_CALL, { gpFree: 0, freeCount: 0, kind: 'psy' }).outcome, 'no_slot', 'nothing open: no slot')
  t.equal(endCallDefaults(NEW_CALL, { gpFree: 0, freeCount: 3, kind: 'psy' }).outcome, null, 'otherwise the regulator chooses')

  const sending = run(open, { type: 'endCallSent' })
  t.same(sending.phase, { name: 'endcall', busy: true, error: null })
  t.equal(run(sending, { type: 'endCallSent' }), sending, 'a second Ctrl+Entrée sends nothing more')
  const failed = run(sending, { type: 'endCallFailed', error: { code: 'INTERNAL', french: 'Erreur interne du serveur. Réessayez.' } })
  t.same(failed.phase, { name: 'endcall', busy: false, error: 'Erreur interne du serveur. Réessayez.' })
  const done = run(failed, { type: 'endCallSent' }, { type: 'endCallLogged', outcome: 'no_slot' })
  t.equal(done.phase.name, 'list')
  t.equal(done.draft.lastName, '', 'the patient is forgotten')
  t.same(done.notice, { kind: 'ok', text: 'Appel enregistré : Aucun créneau disponible. Prêt pour l’appel suivant.' })
  t.equal(run(open, { type: 'endCallClosed' }).phase.name, 'list', 'Échap closes it')
})

t.test('the booking form checks the patient before anything is sent', async (t) => {
  const ok = bookingRequest({ ...PATIENT, reason: '' }, 'key-1', '2030-07-13')
  t.ok(ok.ok)
  if (ok.ok) {
    t.equal(ok.body.patient.birthDate, '1987-03-14', 'JJ/MM/AAAA is sent as a date')
    t.equal(ok.body.idempotencyKey, 'key-1', 'a second send of the same hold books once')
    t.notOk('reason' in ok.body, 'no reason typed, none sent')
  }
  const future = bookingRequest({ ...PATIENT, reason: '', birthDate: '01/01/2031' }, 'key-1', '2030-07-13')
  t.same(future, { ok: false, errors: { 'patient.birthDate': 'La date de naissance est dans le futur : vérifiez-la (JJ/MM/AAAA).' } })
  const old = bookingRequest({ ...PATIENT, reason: '', birthDate: '01/01/1900' }, 'key-1', '2030-07-13')
  t.same(old, { ok: false, errors: { 'patient.birthDate': 'Date de naissance improbable : vérifiez l’année (JJ/MM/AAAA).' } })

  const wrong = bookingRequest({ ...PATIENT, reason: '', birthDate: '32/01/1980', phone: '12 34', hasTreatingGp: '' }, 'key-1', '2030-07-13')
  t.notOk(wrong.ok)
  if (!wrong.ok) {
    t.equal(wrong.errors['patient.phone'], 'Numéro de téléphone invalide : 10 chiffres (ex. 06 12 34 56 78) ou +33….')
    t.equal(firstInvalidField(wrong.errors), 'patient.birthDate', 'the focus goes to the first wrong field of the form')
    const s = run(holding(), { type: 'bookRejected', errors: wrong.errors })
    t.equal(s.phase.name, 'hold', 'nothing sent: still on the form')
    t.equal(s.errors, wrong.errors, 'the errors under their fields')
  }
})

t.test("the page's store says when a click did nothing", async (t) => {
  const store = new CallStore(holding())
  const seen: CallState[] = []
  const stop = store.subscribe((s) => seen.push(s))
  t.ok(store.dispatch({ type: 'extendRequested' }), '"Prolonger" sends the request')
  t.notOk(store.dispatch({ type: 'extendRequested' }), 'a second click while it is on its way sends nothing')
  t.equal(seen.length, 1, 'the page renders once')
  stop()
  store.dispatch({ type: 'newCall' })
  t.equal(seen.length, 1)
})

t.test("the call's kind: SNP by default, chosen, kept by the end-of-call form, reset by a new call", async (t) => {
  t.equal(NEW_CALL.kind, 'snp', 'an ordinary call by default')
  const psy = run(NEW_CALL, { type: 'kindChosen', kind: 'psy' })
  t.equal(psy.kind, 'psy')
  t.equal(endCallDefaults(psy, { gpFree: 0, freeCount: 2, kind: '' }).kind, 'psy', 'the end-of-call form proposes the call\'s kind')
  t.equal(run(psy, { type: 'newCall' }).kind, 'snp', 'a new call is SNP again')
  const checking = run(NEW_CALL, { type: 'kindCheckOpened', slot: slot('p', { kind: 'psy' }) })
  t.equal(checking.kindCheck?.id, 'p', 'a slot of another kind waits for a confirmation')
  t.equal(run(checking, { type: 'kindCheckClosed' }).kindCheck, null)
})

t.test('empty required fields say "Champ obligatoire"', async (t) => {
  const r = bookingRequest({ lastName: ' ', firstName: '', birthDate: '', phone: '', reason: '', hasTreatingGp: '' }, 'k', '2030-07-13')
  t.notOk(r.ok)
  if (r.ok) return
  for (const f of ['patient.lastName', 'patient.firstName', 'patient.birthDate', 'patient.phone']) t.equal(r.errors[f], 'Champ obligatoire.', f)
  t.match(r.errors.hasTreatingGp, /^Champ obligatoire\. /)
  const typed = bookingRequest({ ...PATIENT, reason: '', birthDate: '32/01/1980' }, 'k', '2030-07-13')
  t.notOk(typed.ok)
  if (!typed.ok) t.notSame(typed.errors['patient.birthDate'], 'Champ obligatoire.', 'a wrong date typed keeps its own sentence')
})

t.test('moving a booking: the slot held next replaces it; a lost target keeps the move going', async (t) => {
  const from: Booking = { ...BOOKING, id: 'old-1', slotId: 'z', patient: { lastName: 'Moreau', firstName: 'Léa', birthDate: '1987-03-14', phone: '0612345678' } }
  const moving = run(NEW_CALL, { type: 'callbackOpened' }, { type: 'moveStarted', booking: from })
  t.equal(moving.phase.name, 'list', 'back to the list to choose the new slot')
  t.equal(moving.moving?.id, 'old-1')
  const held = run(moving, { type: 'holdRequested', slotId: 'a' }, { type: 'holdGranted', slot: heldByMe('a', inSeconds(180)), expiresAt: inSeconds(180), key: 'k' })
  t.equal(run(held, { type: 'bookRequested', slotId: 'a' }).booking, 'a', 'booking and moving share the request in flight')
  const sent = run(held, { type: 'moveRequested', slotId: 'a' })
  t.equal(holdBusy(sent), 'book', 'the panel waits for the answer')
  t.equal(run(sent, { type: 'moveRequested', slotId: 'a' }), sent, 'a second Ctrl+Entrée sends nothing more')
  const lost = run(sent, { type: 'moveFailed', slotId: 'a', error: { code: 'SLOT_TAKEN', french: 'Ce créneau n\'est plus disponible.' } })
  t.equal(lost.phase.name, 'list', 'the target was taken: back to the list')
  t.equal(lost.moving?.id, 'old-1', 'still moving the same booking')
  t.match(lost.notice?.text, 'Choisissez un autre créneau')
  const done = run(sent, { type: 'moved', slot: slot('a'), booking: { ...BOOKING, id: 'new-1' }, patientName: 'MOREAU Léa', from: 'old-1' })
  t.same(done.phase.name === 'booked' ? [done.phase.booking.id, done.phase.movedFrom] : null, ['new-1', 'old-1'], 'the confirmation names both')
  t.equal(done.moving, null)
  t.equal(run(moving, { type: 'moveAbandoned' }).moving, null, 'abandoned: nothing moves')
  const cancelled = run(NEW_CALL, { type: 'callbackOpened' }, { type: 'bookingCancelled', text: 'Rendez-vous annulé.' })
  t.same([cancelled.phase.name, cancelled.notice?.kind], ['list', 'ok'])
})
