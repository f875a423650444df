/**
 * What /regulation's waiting-list keys and buttons do: put a patient on the list
 * (POST /api/waiting-list), claim a request with its matching slot (…/claim: the slot held for
 * this regulator), book it after a confirmation (…/booking), give it back (DELETE …/claim) or
 * withdraw it (…/withdrawal). The side panel this drives is `WaitPanel`; the page renders it.
 * No DOM and no Preact here: the page gives the requests and the focus (`WaitIo`, `WaitUi`).
 */
import type { Booking, Slot } from '../../shared/schemas/slots.js'
import { waitingListPromise, type ClaimResult, type CreateRequestBody, type WaitingRequest, type WaitingRequestDetail } from '../../shared/schemas/waiting-list.js'
import { formatDay, formatPhone } from '../lib/format.js'
import { NBSP } from '../lib/french.js'
import { callError } from './regulation-actions.js'
import type { WaitOffer } from './regulation-waiting.js'

export type WaitPanel =
  /** The form of a call that found no slot. */
  | { name: 'form', offer: WaitOffer, busy: boolean, error: string | null, errors: Record<string, string> }
  /** The patient is on the list: the sentence to read. */
  | { name: 'done', sentence: string, request: WaitingRequestDetail }
  /** A request this regulator handles: its patient on screen, the slot held with it (if any). */
  | {
    name: 'claim', request: WaitingRequestDetail, slotId: string | null, expiresAt: string, key: string
    busy: 'book' | 'release' | 'withdraw' | null, error: string | null
    /** « Réserver » was asked: the booking waits for its confirmation. */
    confirming: boolean
  }
  /** Booked from the list: the confirmation to read, as for a booking from the board. */
  | { name: 'booked', slot: Slot, booking: Booking, patientName: string }

export interface WaitState {
  panel: WaitPanel | null
  /** A refused claim, said above the list (role alert). */
  listError: string | null
}

export interface WaitIo {
  api: <T>(method: string, path: string, body?: unknown) => Promise<T>
  randomId: () => string
  /** The slot as the live feed has it now. */
  slotOf: (id: string) => Slot | undefined
}

export interface WaitUi {
  /** Focuses an element by CSS selector once the next render has made it. */
  focus: (selector: string) => void
  announce: (text: string) => void
  /** Before a waiting-list panel opens: the call's own panel closes (a hold is let go). */
  beforeOpen: () => void
}

export const patientName = (p: WaitingRequestDetail['patient']): string => p === null ? 'patient inconnu' : `${p.lastName.toUpperCase()} ${p.firstName}`
const enc = encodeURIComponent
export const requestRowSelector = (id: string): string => `[data-request-id="${id.replace(/["\\]/g, '')}"]`

export class WaitActions {
  #state: WaitState = { panel: null, listError: null }
  readonly #listeners = new Set<(s: WaitState) => void>()
  readonly #io: WaitIo
  readonly #ui: WaitUi

  constructor (io: WaitIo, ui: WaitUi) {
    this.#io = io
    this.#ui = ui
  }

  get state (): WaitState { return this.#state }

  subscribe (listener: (s: WaitState) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #set (patch: Partial<WaitState>): void {
    this.#state = { ...this.#state, ...patch }
    for (const l of this.#listeners) l(this.#state)
  }

  /** Patches the panel if it is still the one named (a late answer changes nothing else). */
  #patch<N extends WaitPanel['name']> (name: N, patch: Partial<Extract<WaitPanel, { name: N }>>, requestId?: string): void {
    const p = this.#state.panel
    if (p === null || p.name !== name) return
    if (requestId !== undefined && p.name === 'claim' && p.request.id !== requestId) return
    this.#set({ panel: { ...p, ...patch } as WaitPanel })
  }

  // ---- a call that found no slot: the form, then the sentence --------------------------------
  openForm (offer: WaitOffer): void {
    // Already open: back to it, as typed so far.
    if (this.#state.panel?.name === 'form') { this.#ui.focus('#wl-days'); return }
    this.#ui.beforeOpen()
    this.#set({ panel: { name: 'form', offer, busy: false, error: null, errors: {} }, listError: null })
    this.#ui.focus('#wl-days')
  }

  /** The form's own checks failed: their sentences by path, the first field focused by the form. */
  formRejected (errors: Record<string, string>): void {
    this.#patch('form', { errors, error: null })
  }

  async submitForm (body: CreateRequestBody): Promise<void> {
    const p = this.#state.panel
    if (p?.name !== 'form' || p.busy) return
    this.#patch('form', { busy: true, error: null, errors: {} })
    try {
      const request = await this.#io.api<WaitingRequestDetail>('POST', '/api/waiting-list', body)
      // The number read back never wraps in the middle.
      const sentence = waitingListPromise(formatDay(body.until), formatPhone(body.patient.phone).replace(/ /g, NBSP))
      this.#set({ panel: { name: 'done', sentence, request } })
      this.#ui.focus('#wl-new-call')
    } catch (err) {
      const e = callError(err)
      this.#patch('form', { busy: false, error: e.french, errors: e.fieldErrors ?? {} })
    }
  }

  // ---- a request recovered: claim (with its slot), book, give back, withdraw -----------------
  /** Claims a request; with `slotId`, that matching slot is held for this regulator in the same step. */
  async claim (r: WaitingRequest, slotId: string | null): Promise<void> {
    const current = this.#state.panel
    if (current?.name === 'claim') {
      if (current.request.id === r.id && current.slotId === slotId) { this.#ui.focus(slotId !== null ? '#wl-book' : '#wl-phone'); return }
      await this.release(false)
    }
    this.#set({ listError: null })
    try {
      const res = await this.#io.api<ClaimResult>('POST', `/api/waiting-list/${enc(r.id)}/claim`, slotId !== null ? { slotId } : {})
      this.#ui.beforeOpen()
      this.#set({
        panel: { name: 'claim', request: res.request, slotId, expiresAt: res.expiresAt, key: this.#io.randomId(), busy: null, error: null, confirming: false }
      })
      this.#ui.focus(slotId !== null ? '#wl-book' : '#wl-phone')
    } catch (err) {
      const e = callError(err)
      this.#set({ listError: e.french })
      this.#ui.announce(e.french)
      this.#ui.focus(requestRowSelector(r.id))
    }
  }

  /** « Prolonger »: the claim (and the hold of its slot) taken again, for as long as a hold lasts. */
  async extend (): Promise<void> {
    const p = this.#state.panel
    if (p?.name !== 'claim' || p.busy !== null) return
    try {
      const res = await this.#io.api<ClaimResult>('POST', `/api/waiting-list/${enc(p.request.id)}/claim`, p.slotId !== null ? { slotId: p.slotId } : {})
      this.#patch('claim', { expiresAt: res.expiresAt, error: null }, p.request.id)
      this.#ui.announce('Délai prolongé.')
    } catch (err) {
      this.#patch('claim', { error: callError(err).french }, p.request.id)
    }
  }

  /** « Réserver ce créneau » (Ctrl+Entrée): what will be booked, to confirm. */
  askBook (): void {
    const p = this.#state.panel
    if (p?.name !== 'claim' || p.slotId === null || p.busy !== null) return
    this.#patch('claim', { confirming: true, error: null })
    this.#ui.focus('#wl-book-confirm')
  }

  /** « Retour » (Échap) from the confirmation. */
  cancelBook (): void {
    this.#patch('claim', { confirming: false })
    this.#ui.focus('#wl-book')
  }

  /** « Confirmer la réservation »: the request's patient booked in the slot held, the request ends booked. */
  async book (): Promise<void> {
    const p = this.#state.panel
    // Only once confirmed: « Réserver » asks first.
    if (p?.name !== 'claim' || p.slotId === null || p.busy !== null || !p.confirming) return
    const slot = this.#io.slotOf(p.slotId)
    this.#patch('claim', { busy: 'book', error: null })
    try {
      const res = await this.#io.api<{ booking: Booking }>('POST', `/api/waiting-list/${enc(p.request.id)}/booking`, { slotId: p.slotId, idempotencyKey: p.key })
      const booked = slot ?? this.#io.slotOf(p.slotId)
      if (booked === undefined) {
        // The feed no longer lists it (booked already): the booking is made all the same.
        this.#set({ panel: null })
        this.#ui.announce(`Rendez-vous réservé pour ${patientName(p.request.patient)}.`)
        return
      }
      this.#set({ panel: { name: 'booked', slot: booked, booking: res.booking, patientName: patientName(p.request.patient) } })
      this.#ui.focus('#new-call')
    } catch (err) {
      const e = callError(err)
      this.#patch('claim', { busy: null, confirming: false, error: e.french }, p.request.id)
      this.#ui.focus('#wl-book')
    }
  }

  /** « Libérer » (Échap): the request goes back to the list (and its slot to the board). */
  async release (focus = true): Promise<void> {
    const p = this.#state.panel
    if (p?.name !== 'claim' || p.busy !== null) return
    this.#patch('claim', { busy: 'release' })
    try {
      await this.#io.api('DELETE', `/api/waiting-list/${enc(p.request.id)}/claim`)
    } catch {
      // Ended or expired meanwhile: nothing left to give back; the claim runs out by itself otherwise.
    }
    const now = this.#state.panel
    if (now?.name === 'claim' && now.request.id === p.request.id) this.#set({ panel: null })
    if (focus) this.#ui.focus(requestRowSelector(p.request.id))
  }

  /** « Retirer de la liste »: the patient no longer needs it. Returns the French reason it failed, or null. */
  async withdraw (reason: string): Promise<void> {
    const p = this.#state.panel
    if (p?.name !== 'claim' || p.busy !== null) return
    this.#patch('claim', { busy: 'withdraw', error: null })
    try {
      await this.#io.api('POST', `/api/waiting-list/${enc(p.request.id)}/withdrawal`, { reason })
      this.#set({ panel: null })
      this.#ui.announce('Demande retirée de la liste d’attente.')
      this.#ui.focus('#wl-title')
    } catch (err) {
      this.#patch('claim', { busy: null, error: callError(err).french }, p.request.id)
    }
  }

  /** Closes the form, the sentence or the confirmation (a claim is given back). */
  close (focus: string | null): void {
    const p = this.#state.panel
    if (p?.name === 'claim') { void this.release(focus !== null); return }
    if (p?.name === 'form' && p.busy) return
    this.#set({ panel: null })
    if (focus !== null) this.#ui.focus(focus)
  }

  /** The call's own panel opened (a slot held, the end of call, a call-back): this one gives way, silently. */
  dismiss (): void {
    const p = this.#state.panel
    if (p === null) return
    if (p.name === 'claim') { void this.release(false); return }
    if (p.name === 'form' && p.busy) return
    this.#set({ panel: null })
  }

  /** The live feed ended the request this page shows (booked or withdrawn elsewhere, expired). */
  requestEnded (id: string): void {
    const p = this.#state.panel
    if (p?.name === 'claim' && p.request.id === id && p.busy === null) {
      this.#patch('claim', { error: 'Cette demande de la liste d’attente est close (réservée, retirée ou expirée).', slotId: null, confirming: false })
    }
  }
}
