/**
 * What /regulation's buttons and keys do, away from the component: each action sends its
 * request (hold, book, release, extend, move, cancel, search, the call log), dispatches the
 * answer to the call's store (regulation-call.ts) and says where the focus goes and what the
 * live region announces. No DOM and no Preact here: the page gives the requests (`BoardIo`) and
 * what to do on screen (`BoardUi`), the tests give fakes (test/regulation-actions.test.ts).
 */
import { frenchMessage } from '../../shared/errors.js'
import type { Booking, BookingBody, CallBody, Slot } from '../../shared/schemas/slots.js'
import { ApiError } from '../lib/api.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'
import {
  bookingRequest, FIELD_IDS, firstInvalidField, followFeed, heldSlot, holdBusy, lostCode,
  type CallAction, type CallError, type CallStore, type EndOutcome, type LostCode
} from './regulation-call.js'
import { bookingWhen } from './regulation-callback.js'
import type { EndCallValues } from './regulation-endcall.js'
import type { Commune } from './regulation-model.js'

/** A failed request as the call's model reads it: its code and French sentence (and, for VALIDATION, by field). */
export function callError (err: unknown): CallError {
  if (!(err instanceof ApiError)) return { code: '', french: 'Erreur inattendue. Réessayez.' }
  return { code: err.code, french: err.french, ...(err.code === 'VALIDATION' ? { fieldErrors: frenchFieldErrors(err.details as IssueLike[]) } : {}) }
}

/** The live socket's commands (LiveSlots), as the actions use them. */
export interface BoardLive {
  hold: (slotId: string) => Promise<{ slot: Slot, expiresAt: string }>
  release: (slotId: string) => Promise<unknown>
  book: (slotId: string, body: BookingBody) => Promise<Booking>
  cancel: (bookingId: string, reason: string) => Promise<unknown>
  /** A command sent without waiting for its answer (the tab is closing). */
  fire: (cmd: { type: 'release', slotId: string }) => void
}

/** What the actions need from the page: the socket, the HTTP API, ids, time zones and today's date. */
export interface BoardIo {
  live: BoardLive
  api: <T>(method: string, path: string, body?: unknown) => Promise<T>
  randomId: () => string
  /** The time zone of a territory (its CPTS). */
  zoneOfCpts: (cptsId: string) => string
  /** Today's date, 'YYYY-MM-DD', in a zone. */
  today: (zone: string) => string
}

/** Where the focus goes next (the page turns it into an element). */
export type FocusTarget =
  /** A slot's row (it takes the list's tab stop too). */
  | { to: 'row', id: string }
  /** The list's tab-stop row, else its heading. */
  | { to: 'list' }
  /** The booking form's first field, the form scrolled into view. */
  | { to: 'form' }
  /** "Nouvel appel", the confirmation in view. */
  | { to: 'confirmation' }
  /** An element by CSS selector, once the next render has made it. */
  | { to: 'element', selector: string }

export interface BoardUi {
  /** The polite live region (batched). */
  announce: (text: string) => void
  focus: (target: FocusTarget) => void
  /** The row that takes the list's tab stop (null: the first). */
  setFocusedId: (id: string | null) => void
  /** "Type" back to the call's kind (a move lists the booking's kind). */
  showCallKind: () => void
}

const patientNameOf = (b: Booking): string => b.patient !== undefined ? `${b.patient.lastName.toUpperCase()} ${b.patient.firstName}` : ''

export class BoardActions {
  readonly #calls: CallStore
  readonly #io: BoardIo
  readonly #ui: BoardUi

  constructor (calls: CallStore, io: BoardIo, ui: BoardUi) {
    this.#calls = calls
    this.#io = io
    this.#ui = ui
  }

  /** Lets go of this page's hold without waiting (another panel opens, a new call starts). */
  #dropHold (): void {
    const held = heldSlot(this.#calls.state)
    if (held !== null) this.#io.live.release(held.id).catch(() => {})
  }

  /** Dispatches; when that cost this page its hold, says so and puts the focus back on the slot's row. */
  dispatchMayLose (action: CallAction, code: LostCode | null): void {
    const held = heldSlot(this.#calls.state)
    this.#calls.dispatch(action)
    if (code === null || held === null || this.#calls.state.phase.name !== 'list') return
    this.#ui.announce(frenchMessage(code))
    this.#ui.focus({ to: 'row', id: held.id })
  }

  /** What the feed now says of a slot (undefined: it left the list) tells about this page's hold. */
  followHold (slotId: string, slot: Slot | undefined, now: number): void {
    const action = followFeed(this.#calls.state, slotId, slot, now)
    if (action !== null) this.dispatchMayLose(action, action.type === 'holdLost' ? action.code : null)
  }

  /** The tab closes: release the hold (best effort; it would expire anyway). */
  leave (): void {
    const held = heldSlot(this.#calls.state)
    if (held !== null) this.#io.live.fire({ type: 'release', slotId: held.id })
  }

  /**
   * Holds a slot (Entrée on its row, "Réserver"): another kind than the call's is asked first;
   * the slot already held takes the focus back to its form; a refusal says why, on its row.
   */
  async hold (slot: Slot, kindConfirmed = false): Promise<void> {
    const s = this.#calls.state
    const previous = heldSlot(s)
    if (s.holding === null && previous?.id === slot.id) {
      this.#ui.focus({ to: 'element', selector: s.moving !== null ? '#move-confirm' : '#pt-last' })
      return
    }
    if (!kindConfirmed && slot.kind !== s.kind && s.holding === null) {
      // Another kind than the call's: asked first (an SNP call must not land in a psy slot unseen).
      this.#calls.dispatch({ type: 'kindCheckOpened', slot })
      this.#ui.setFocusedId(slot.id)
      this.#ui.focus({ to: 'element', selector: '#kind-confirm' })
      return
    }
    this.#calls.dispatch({ type: 'kindCheckClosed' })
    if (!this.#calls.dispatch({ type: 'holdRequested', slotId: slot.id })) return
    this.#ui.setFocusedId(slot.id)
    try {
      const r = await this.#io.live.hold(slot.id)
      if (previous !== null) this.#io.live.release(previous.id).catch(() => {})
      this.#calls.dispatch({ type: 'holdGranted', slot: r.slot, expiresAt: r.expiresAt, key: this.#io.randomId() })
      this.#ui.focus(this.#calls.state.moving !== null ? { to: 'element', selector: '#move-confirm' } : { to: 'form' })
    } catch (err) {
      const error = callError(err)
      this.#calls.dispatch({ type: 'holdRefused', error })
      // The loser of a race is told in the panel (role alert) and in the live region, on its row.
      const lost = lostCode(error.code)
      if (lost !== null) this.#ui.announce(`${frenchMessage(lost)} Choisissez un autre créneau.`)
      this.#ui.focus({ to: 'row', id: slot.id })
    }
  }

  /** "Choisir un autre créneau" (Échap) in the kind check: back on its row, nothing held. */
  closeKindCheck (): void {
    const slot = this.#calls.state.kindCheck
    this.#calls.dispatch({ type: 'kindCheckClosed' })
    if (slot !== null) this.#ui.focus({ to: 'row', id: slot.id })
  }

  /** "Bloquer ce créneau quand même". */
  async confirmKind (): Promise<void> {
    const slot = this.#calls.state.kindCheck
    if (slot !== null) await this.hold(slot, true)
  }

  async extend (): Promise<void> {
    const held = heldSlot(this.#calls.state)
    if (held === null || !this.#calls.dispatch({ type: 'extendRequested' })) return
    try {
      const r = await this.#io.live.hold(held.id)
      this.#calls.dispatch({ type: 'extended', slotId: held.id, slot: r.slot, expiresAt: r.expiresAt })
      this.#ui.announce('Délai prolongé.')
    } catch (err) {
      const error = callError(err)
      this.dispatchMayLose({ type: 'extendFailed', slotId: held.id, error }, lostCode(error.code))
    }
  }

  /** "Annuler" (Échap) in the form: the slot is let go, the focus back on its row. */
  async release (): Promise<void> {
    const held = heldSlot(this.#calls.state)
    if (held === null || !this.#calls.dispatch({ type: 'releaseRequested' })) return
    let offline = false
    try {
      await this.#io.live.release(held.id)
    } catch (err) {
      // Already free, taken or expired: nothing left to release. Offline: it expires by itself.
      offline = err instanceof ApiError && err.code === 'OFFLINE'
    }
    this.#calls.dispatch({ type: 'released', slotId: held.id, offline })
    this.#ui.focus({ to: 'row', id: held.id })
  }

  /** "Réserver pour ce patient" (Ctrl+Entrée): checked first, then booked; a move moves instead. */
  async book (): Promise<void> {
    const s = this.#calls.state
    const p = s.phase
    if (p.name !== 'hold' || holdBusy(s) !== null) return
    if (s.moving !== null) { await this.move(); return }
    const request = bookingRequest(s.draft, p.key, this.#io.today(this.#io.zoneOfCpts(p.slot.cptsId)))
    if (!request.ok) {
      this.#calls.dispatch({ type: 'bookRejected', errors: request.errors })
      const first = firstInvalidField(request.errors)
      if (first !== undefined) this.#ui.focus({ to: 'element', selector: '#' + FIELD_IDS[first]! })
      return
    }
    const { body } = request
    this.#calls.dispatch({ type: 'bookRequested', slotId: p.slot.id })
    try {
      const booking = await this.#io.live.book(p.slot.id, body)
      const patientName = `${body.patient.lastName.toUpperCase()} ${body.patient.firstName}`
      this.#calls.dispatch({ type: 'booked', slot: p.slot, booking, patientName, hasTreatingGp: body.hasTreatingGp })
      this.#ui.focus({ to: 'confirmation' })
      await this.logBooked(s.commune)
    } catch (err) {
      const error = callError(err)
      this.dispatchMayLose({ type: 'bookFailed', slotId: p.slot.id, error }, lostCode(error.code))
    }
  }

  /** Writes the booked call to the call log (with the patient's commune, when known). */
  async logBooked (patientCommune: Commune | null): Promise<void> {
    const p = this.#calls.state.phase
    if (p.name !== 'booked') return
    const body: CallBody = {
      outcome: 'booked', kind: p.slot.kind, hasTreatingGp: p.hasTreatingGp, bookingId: p.booking.id, cptsId: p.slot.cptsId,
      ...(patientCommune !== null ? { communeCode: patientCommune.code } : {})
    }
    let ok = true
    try { await this.#io.api('POST', '/api/calls', body) } catch { ok = false }
    this.#calls.dispatch({ type: 'callLogged', bookingId: p.booking.id, ok })
  }

  /** "Nouvel appel" (n): nothing of the last patient stays; the commune field takes the focus. */
  newCall (): void {
    this.#dropHold()
    this.#calls.dispatch({ type: 'newCall' })
    this.#ui.focus({ to: 'element', selector: '#patient-commune' })
  }

  // ---- end of call without a booking ----------------------------------------------------------
  openEndCall (): void {
    const s = this.#calls.state
    if (s.phase.name === 'endcall') { this.#ui.focus({ to: 'element', selector: '#end-call-form input:checked, #end-call-form input' }); return }
    this.#dropHold()
    this.#calls.dispatch({ type: 'endCallOpened' })
    this.#ui.focus({ to: 'element', selector: '#end-call-form input' })
  }

  closeEndCall (): void {
    this.#calls.dispatch({ type: 'endCallClosed' })
    this.#ui.focus({ to: 'element', selector: '#end-call-open' })
  }

  /** "Enregistrer l'appel": its outcome to the call log, with the patient's commune and the CPTS filtered on (if any). */
  async submitEndCall (v: EndCallValues, cptsId: string): Promise<void> {
    const patientCommune = this.#calls.state.commune
    if (!this.#calls.dispatch({ type: 'endCallSent' })) return
    const body: CallBody = {
      outcome: v.outcome, kind: v.kind, hasTreatingGp: v.hasTreatingGp,
      ...(patientCommune !== null ? { communeCode: patientCommune.code } : {}),
      ...(cptsId !== '' ? { cptsId } : {})
    }
    try {
      const logged = await this.#io.api<{ id?: unknown } | undefined>('POST', '/api/calls', body)
      // No slot found: the waiting list is offered, its button takes the focus (Entrée puts the patient on it).
      const offer = v.outcome === 'no_slot'
        ? { callId: typeof logged?.id === 'string' ? logged.id : null, commune: patientCommune, kind: v.kind, hasTreatingGp: v.hasTreatingGp, cptsId: cptsId !== '' ? cptsId : null }
        : undefined
      this.#calls.dispatch({ type: 'endCallLogged', outcome: v.outcome satisfies EndOutcome, ...(offer !== undefined ? { offer } : {}) })
      this.#ui.focus({ to: 'element', selector: offer !== undefined ? '#wl-offer' : '#patient-commune' })
    } catch (err) {
      this.#calls.dispatch({ type: 'endCallFailed', error: callError(err) })
    }
  }

  // ---- a patient calls back: find, cancel, move ---------------------------------------------
  openCallback (): void {
    this.#dropHold()
    this.#calls.dispatch({ type: 'callbackOpened' })
    this.#ui.focus({ to: 'element', selector: '#cb-q' })
  }

  closeCallback (): void {
    this.#calls.dispatch({ type: 'callbackClosed' })
    this.#ui.focus({ to: 'element', selector: '#callback-open' })
  }

  async searchBookings (q: string): Promise<Booking[]> {
    return await this.#io.api<Booking[]>('GET', `/api/bookings/search?q=${encodeURIComponent(q)}`)
  }

  /** Cancels the booking found; null when done, else the French reason it failed. */
  async cancelBooking (b: Booking, reason: string): Promise<string | null> {
    try {
      await this.#io.live.cancel(b.id, reason)
    } catch (err) {
      return callError(err).french
    }
    const text = `Rendez-vous du ${bookingWhen(b, this.#io.zoneOfCpts)} annulé : le créneau est de nouveau libre.`
    this.#calls.dispatch({ type: 'bookingCancelled', text })
    this.#ui.announce(text)
    this.#ui.focus({ to: 'element', selector: '#callback-open' })
    return null
  }

  /** "Déplacer vers un autre créneau": back to the list, its kind, ranked by the booking's commune. */
  startMove (b: Booking): void {
    this.#calls.dispatch({ type: 'moveStarted', booking: b })
    this.#ui.showCallKind()
    this.#ui.setFocusedId(null)
    this.#ui.focus({ to: 'list' })
  }

  abandonMove (): void {
    const held = heldSlot(this.#calls.state)
    if (held !== null) this.#io.live.release(held.id).catch(() => {})
    this.#calls.dispatch({ type: 'moveAbandoned' })
    if (held !== null) this.#calls.dispatch({ type: 'released', slotId: held.id, offline: false })
    this.#ui.announce('Déplacement abandonné : le rendez-vous reste inchangé.')
    this.#ui.focus({ to: 'element', selector: '#callback-open' })
  }

  /** "Déplacer ici" (Ctrl+Entrée): the booking moves to the slot held, in one request. */
  async move (): Promise<void> {
    const s = this.#calls.state
    const p = s.phase
    const from = s.moving
    if (p.name !== 'hold' || from === null || !this.#calls.dispatch({ type: 'moveRequested', slotId: p.slot.id })) return
    try {
      const r = await this.#io.api<{ booking: Booking, previous: Booking }>('POST', `/api/bookings/${encodeURIComponent(from.id)}/move`, { slotId: p.slot.id })
      this.#calls.dispatch({ type: 'moved', slot: p.slot, booking: r.booking, patientName: patientNameOf(r.booking), from: from.id })
      this.#ui.focus({ to: 'confirmation' })
    } catch (err) {
      const error = callError(err)
      this.dispatchMayLose({ type: 'moveFailed', slotId: p.slot.id, error }, lostCode(error.code))
    }
  }
}
