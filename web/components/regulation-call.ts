/**
 * The call in progress on /regulation, as one model: what the regulator typed about the patient,
 * and the phase of the call — the list, a slot held while the form is filled in, the booking's
 * confirmation, or the end-of-call form. `reduce` is pure (no DOM, no Preact, no I/O): the page
 * sends the requests, dispatches what they answer, and renders the state.
 *
 * Replies can come late (the regulator cancelled, lost the slot or started a new call in the
 * meantime): each one names its slot or booking, and a reply for a slot no longer held changes
 * nothing.
 */
import { frenchMessage } from '../../shared/errors.js'
import { BookingBody, type Booking, type CallOutcome, type HasTreatingGp, type Slot, type SlotKind } from '../../shared/schemas/slots.js'
import { CALL_OUTCOME_FR, doctorName, parseFrenchDate, secondsLeft } from '../lib/format.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'
import type { Commune, PractitionerRef } from './regulation-model.js'
import type { WaitOffer } from './regulation-waiting.js'

export interface PatientDraft {
  lastName: string
  firstName: string
  /** As typed: 'JJ/MM/AAAA'. */
  birthDate: string
  phone: string
  reason: string
  hasTreatingGp: HasTreatingGp | ''
}

export const EMPTY_PATIENT: PatientDraft = { lastName: '', firstName: '', birthDate: '', phone: '', reason: '', hasTreatingGp: '' }

/** Form field ids by schema path, to focus the first invalid one. */
export const FIELD_IDS: Record<string, string> = {
  'patient.lastName': 'pt-last',
  'patient.firstName': 'pt-first',
  'patient.birthDate': 'pt-birth',
  'patient.phone': 'pt-phone',
  reason: 'pt-reason',
  hasTreatingGp: 'pt-gp-yes'
}

/** What the hold form is waiting for, if anything. */
export type HoldBusy = 'book' | 'extend' | 'release' | null

/** Whether the booked call was written to the call log (POST /api/calls). */
export type CallLogState = 'pending' | 'ok' | 'error'

/** How a call ended without a booking. */
export type EndOutcome = Exclude<CallOutcome, 'booked'>

export type Phase =
  | { name: 'list' }
  | { name: 'hold', slot: Slot, expiresAt: string, key: string, busy: 'extend' | 'release' | null }
  | {
    name: 'booked', slot: Slot, booking: Booking, patientName: string, hasTreatingGp: HasTreatingGp, callLog: CallLogState
    /** A booking moved here: the reference of the one it replaces. */
    movedFrom?: string
  }
  | { name: 'endcall', busy: boolean, error: string | null }
  /** "Rappel d'un patient": find a booking to cancel or move (the panel keeps its own search). */
  | { name: 'callback' }

export interface Notice { kind: 'ok' | 'error' | 'warn', text: string }

/** A refused or failed request, as the page's ApiError describes it. */
export interface CallError {
  code: string
  /** The French sentence for the regulator. */
  french: string
  /** For VALIDATION: French sentences by field path. */
  fieldErrors?: Record<string, string>
}

export interface CallState {
  /** What the patient needs: ordinary unscheduled care or a rapid psychiatric consultation; the list shows that kind. */
  kind: SlotKind
  /** A slot of another kind than the call's, waiting for the regulator to confirm before it is held. */
  kindCheck: Slot | null
  /** The booking being moved (a patient called back): the slot held next replaces its slot. */
  moving: Booking | null
  communeText: string
  commune: Commune | null
  /** Suggestions for the commune typed; null when there is nothing to look up. */
  communeFound: Commune[] | null
  gpText: string
  gp: PractitionerRef | null
  draft: PatientDraft
  /** French sentences by field path, under the form's fields. */
  errors: Record<string, string>
  formError: string | null
  notice: Notice | null
  phase: Phase
  /** The slot a hold request is on its way for. */
  holding: string | null
  /**
   * The slot a booking request is on its way for. It outlives "Nouvel appel": whatever the
   * answer, the feed's news about that slot is this page's own.
   */
  booking: string | null
  /** The last call ended « aucun créneau »: one key puts its patient on the waiting list. */
  waitOffer: WaitOffer | null
}

export const NEW_CALL: CallState = {
  kind: 'snp',
  kindCheck: null,
  moving: null,
  communeText: '',
  commune: null,
  communeFound: null,
  gpText: '',
  gp: null,
  draft: EMPTY_PATIENT,
  errors: {},
  formError: null,
  notice: null,
  phase: { name: 'list' },
  holding: null,
  booking: null,
  waitOffer: null
}

/** Codes that mean the held slot is someone else's now. */
export type LostCode = 'SLOT_TAKEN' | 'SLOT_HELD'
export const lostCode = (code: string): LostCode | null => code === 'SLOT_TAKEN' || code === 'SLOT_HELD' ? code : null

export type CallAction =
  | { type: 'communeTyped', text: string }
  | { type: 'communesFound', list: Commune[] | null }
  | { type: 'communeChosen', commune: Commune }
  | { type: 'communeCleared' }
  | { type: 'gpTyped', text: string }
  | { type: 'gpChosen', gp: PractitionerRef }
  | { type: 'gpCleared' }
  | { type: 'draftEdited', patch: Partial<PatientDraft> }
  | { type: 'notice', notice: Notice }
  /** Ignored while another hold is on its way, or while the held slot's form waits for an answer. */
  | { type: 'holdRequested', slotId: string }
  | { type: 'holdGranted', slot: Slot, expiresAt: string, key: string }
  | { type: 'holdRefused', error: CallError }
  /** The live feed says the held slot is gone, or held by someone else. */
  | { type: 'holdLost', slotId: string, code: LostCode }
  /** The live feed gives the held slot a new end (`at`: now, when it ran out). */
  | { type: 'holdUntil', slotId: string, expiresAt: string }
  | { type: 'extendRequested' }
  | { type: 'extended', slotId: string, slot: Slot, expiresAt: string }
  | { type: 'extendFailed', slotId: string, error: CallError }
  | { type: 'releaseRequested' }
  | { type: 'released', slotId: string, offline: boolean }
  | { type: 'bookRejected', errors: Record<string, string> }
  | { type: 'bookRequested', slotId: string }
  | { type: 'booked', slot: Slot, booking: Booking, patientName: string, hasTreatingGp: HasTreatingGp }
  | { type: 'bookFailed', slotId: string, error: CallError }
  | { type: 'callLogged', bookingId: string, ok: boolean }
  | { type: 'newCall' }
  | { type: 'endCallOpened' }
  | { type: 'endCallClosed' }
  | { type: 'endCallSent' }
  /** `offer`: a call that found no slot, offered to the waiting list. */
  | { type: 'endCallLogged', outcome: EndOutcome, offer?: WaitOffer }
  | { type: 'endCallFailed', error: CallError }
  /** The patient of the last call is on the waiting list now: not offered twice. */
  | { type: 'waitOfferTaken' }
  | { type: 'kindChosen', kind: SlotKind }
  /** The regulator chose a slot of another kind than the call's: asked to confirm first. */
  | { type: 'kindCheckOpened', slot: Slot }
  | { type: 'kindCheckClosed' }
  | { type: 'callbackOpened' }
  | { type: 'callbackClosed' }
  /** A booking to move: back to the list, where the slot held next will replace it. */
  | { type: 'moveStarted', booking: Booking }
  | { type: 'moveAbandoned' }
  | { type: 'moveRequested', slotId: string }
  | { type: 'moved', slot: Slot, booking: Booking, patientName: string, from: string }
  | { type: 'moveFailed', slotId: string, error: CallError }
  | { type: 'bookingCancelled', text: string }

/** The slot this page holds (even one whose hold ran out), or null. */
export const heldSlot = (s: CallState): Slot | null => s.phase.name === 'hold' ? s.phase.slot : null

/** What the hold form waits for: a booking on its way counts. */
export function holdBusy (s: CallState): HoldBusy {
  if (s.phase.name !== 'hold') return null
  return s.booking === s.phase.slot.id ? 'book' : s.phase.busy
}

/** The hold ran out: « Délai écoulé », the slot may be someone else's any moment. */
export const holdExpired = (s: CallState, now: number): boolean => s.phase.name === 'hold' && secondsLeft(s.phase.expiresAt, now) === 0

/** This page's own slot (held, being booked or just booked): the feed's news about it is not announced. */
export const isOwnSlot = (s: CallState, slotId: string): boolean =>
  s.booking === slotId || ((s.phase.name === 'hold' || s.phase.name === 'booked') && s.phase.slot.id === slotId)

/** While a hold is on its way, the next keystrokes are meant for the form that opens, not for shortcuts. */
export const shortcutsPaused = (s: CallState): boolean => s.holding !== null

/**
 * What the feed's view of the held slot means for the hold: lost (gone, or someone else holds
 * it), a new end (extended elsewhere), or run out (free again while nothing is on its way).
 * `slot` is the slot as the feed has it now, undefined when it left the list.
 */
export function followFeed (s: CallState, slotId: string, slot: Slot | undefined, now: number): CallAction | null {
  const p = s.phase
  if (p.name !== 'hold' || p.slot.id !== slotId || s.booking === slotId) return null
  if (slot === undefined) return { type: 'holdLost', slotId, code: 'SLOT_TAKEN' }
  if (slot.hold?.by === 'other') return { type: 'holdLost', slotId, code: 'SLOT_HELD' }
  if (slot.status === 'held' && slot.hold?.by === 'me' && slot.hold.expiresAt !== p.expiresAt) return { type: 'holdUntil', slotId, expiresAt: slot.hold.expiresAt }
  if (slot.status === 'free' && p.busy === null) return { type: 'holdUntil', slotId, expiresAt: new Date(now).toISOString() }
  return null
}

/** What "Fin d'appel sans réservation" proposes from what the call found. */
export function endCallDefaults (s: CallState, found: { gpFree: number, freeCount: number, kind: SlotKind | '' }):
{ outcome: EndOutcome | null, kind: SlotKind, hasTreatingGp: HasTreatingGp } {
  return {
    outcome: s.gp !== null && found.gpFree === 0 ? 'redirected_treating_gp' : found.freeCount === 0 ? 'no_slot' : null,
    kind: found.kind === '' ? s.kind : found.kind,
    hasTreatingGp: s.draft.hasTreatingGp !== '' ? s.draft.hasTreatingGp : s.gp !== null ? 'yes' : 'unknown'
  }
}

/** The sentence under an empty required field. */
export const REQUIRED_FR = 'Champ obligatoire.'
const REQUIRED: Array<[string, 'lastName' | 'firstName' | 'birthDate' | 'phone']> =
  [['patient.lastName', 'lastName'], ['patient.firstName', 'firstName'], ['patient.birthDate', 'birthDate'], ['patient.phone', 'phone']]

/**
 * The booking request for the patient typed, checked before it is sent: the shared schema,
 * then a birth date neither in the future nor more than 125 years back (`today` in the slot's zone).
 */
export function bookingRequest (draft: PatientDraft, key: string, today: string):
{ ok: true, body: BookingBody } | { ok: false, errors: Record<string, string> } {
  const body = {
    patient: { lastName: draft.lastName, firstName: draft.firstName, birthDate: parseFrenchDate(draft.birthDate), phone: draft.phone },
    ...(draft.reason.trim() !== '' ? { reason: draft.reason } : {}),
    hasTreatingGp: draft.hasTreatingGp === '' ? undefined : draft.hasTreatingGp,
    idempotencyKey: key
  }
  const parsed = BookingBody.safeParse(body)
  const found = parsed.success ? {} : frenchFieldErrors(parsed.error.issues as unknown as IssueLike[])
  if (found['patient.birthDate'] === undefined && /^\d{4}-\d{2}-\d{2}$/.test(body.patient.birthDate)) {
    if (body.patient.birthDate > today) found['patient.birthDate'] = 'La date de naissance est dans le futur : vérifiez-la (JJ/MM/AAAA).'
    else if (Number(body.patient.birthDate.slice(0, 4)) < Number(today.slice(0, 4)) - 125) found['patient.birthDate'] = 'Date de naissance improbable : vérifiez l’année (JJ/MM/AAAA).'
  }
  // An empty field is "required", whatever its own check would say of an empty text.
  for (const [path, value] of REQUIRED) if (draft[value].trim() === '') found[path] = REQUIRED_FR
  if (draft.hasTreatingGp === '') found.hasTreatingGp = `${REQUIRED_FR} Indiquez si le patient a un médecin traitant (oui, non ou ne sait pas).`
  if (!parsed.success || Object.keys(found).length > 0) return { ok: false, errors: found }
  return { ok: true, body: parsed.data }
}

/** The first field of the form with an error, in the form's order. */
export const firstInvalidField = (errors: Record<string, string>): string | undefined =>
  Object.keys(FIELD_IDS).find((k) => errors[k] !== undefined)

const lostNotice = (code: LostCode): Notice =>
  ({ kind: 'error', text: `${frenchMessage(code)} Choisissez un autre créneau : les informations du patient sont conservées.` })

/** Back to the list after losing the held slot: the patient's details stay for the next one. */
function lose (s: CallState, slotId: string, code: LostCode): CallState {
  if (s.phase.name !== 'hold' || s.phase.slot.id !== slotId) return s
  return { ...s, phase: { name: 'list' }, notice: lostNotice(code) }
}

/** A new call: nothing of the last patient stays. Requests on their way are still followed. */
const fresh = (s: CallState): CallState => ({ ...NEW_CALL, holding: s.holding, booking: s.booking })

export function reduce (s: CallState, a: CallAction): CallState {
  const p = s.phase
  switch (a.type) {
    case 'communeTyped': return { ...s, communeText: a.text, commune: null }
    case 'communesFound': return a.list === s.communeFound ? s : { ...s, communeFound: a.list }
    case 'communeChosen':
      return { ...s, commune: a.commune, communeText: `${a.commune.name} (${a.commune.postalCodes[0] ?? a.commune.departement})` }
    case 'communeCleared': return { ...s, commune: null, communeText: '', communeFound: null }
    case 'gpTyped': return { ...s, gpText: a.text, gp: null }
    case 'gpChosen':
      return {
        ...s,
        gp: a.gp,
        gpText: doctorName(a.gp.name),
        draft: s.draft.hasTreatingGp === '' ? { ...s.draft, hasTreatingGp: 'yes' } : s.draft
      }
    case 'gpCleared': return { ...s, gp: null, gpText: '' }
    case 'draftEdited': return { ...s, draft: { ...s.draft, ...a.patch } }
    case 'notice': return { ...s, notice: a.notice }

    case 'holdRequested': {
      // One hold at a time; none while the held slot's form waits for an answer.
      if (s.holding !== null || (p.name === 'hold' && (p.slot.id === a.slotId || holdBusy(s) !== null))) return s
      // Holding from the confirmation or the end-of-call form starts the next call.
      const base = p.name === 'booked' || p.name === 'endcall' ? fresh(s) : s
      return { ...base, holding: a.slotId, notice: null }
    }
    case 'holdGranted':
      return { ...s, holding: null, phase: { name: 'hold', slot: a.slot, expiresAt: a.expiresAt, key: a.key, busy: null }, errors: {}, formError: null }
    case 'holdRefused': {
      const text = lostCode(a.error.code) !== null ? `${a.error.french} Choisissez un autre créneau.` : a.error.french
      return { ...s, holding: null, notice: { kind: 'error', text } }
    }
    case 'holdLost': return lose(s, a.slotId, a.code)
    case 'holdUntil':
      return p.name === 'hold' && p.slot.id === a.slotId ? { ...s, phase: { ...p, expiresAt: a.expiresAt } } : s

    case 'extendRequested':
      return p.name === 'hold' && holdBusy(s) === null ? { ...s, phase: { ...p, busy: 'extend' } } : s
    case 'extended':
      return p.name === 'hold' && p.slot.id === a.slotId ? { ...s, phase: { ...p, slot: a.slot, expiresAt: a.expiresAt, busy: null } } : s
    case 'extendFailed': {
      if (p.name !== 'hold' || p.slot.id !== a.slotId) return s
      const lost = lostCode(a.error.code)
      if (lost !== null) return lose(s, a.slotId, lost)
      return { ...s, phase: { ...p, busy: null }, formError: a.error.french }
    }

    case 'releaseRequested': {
      const busy = holdBusy(s)
      return p.name === 'hold' && busy !== 'book' && busy !== 'release' ? { ...s, phase: { ...p, busy: 'release' } } : s
    }
    case 'released': {
      // Offline: the server never heard, the hold runs out by itself.
      const notice: Notice | null = a.offline ? { kind: 'warn', text: 'Connexion interrompue : le créneau sera libéré de lui-même à la fin du délai.' } : s.notice
      if (p.name !== 'hold' || p.slot.id !== a.slotId) return { ...s, notice }
      return { ...s, phase: { name: 'list' }, errors: {}, formError: null, notice }
    }

    case 'bookRejected': return { ...s, errors: a.errors, formError: null }
    case 'bookRequested':
      return p.name === 'hold' && p.slot.id === a.slotId && holdBusy(s) === null ? { ...s, booking: a.slotId, errors: {}, formError: null } : s
    case 'booked':
      // Shown whatever happened meanwhile: the patient has an appointment and must be told.
      return {
        ...s,
        booking: null,
        phase: { name: 'booked', slot: a.slot, booking: a.booking, patientName: a.patientName, hasTreatingGp: a.hasTreatingGp, callLog: 'pending' }
      }
    case 'bookFailed': {
      if (s.booking !== a.slotId) return s
      const next = { ...s, booking: null }
      if (next.phase.name !== 'hold' || next.phase.slot.id !== a.slotId) return next
      const lost = lostCode(a.error.code)
      if (lost !== null) return lose(next, a.slotId, lost)
      if (a.error.code === 'VALIDATION') return { ...next, errors: a.error.fieldErrors ?? {}, formError: a.error.french }
      return { ...next, formError: a.error.code === 'OFFLINE' ? `${a.error.french} Un nouvel envoi ne réservera pas deux fois.` : a.error.french }
    }
    case 'callLogged':
      return p.name === 'booked' && p.booking.id === a.bookingId ? { ...s, phase: { ...p, callLog: a.ok ? 'ok' : 'error' } } : s

    case 'newCall': return fresh(s)
    case 'endCallOpened': return p.name === 'endcall' ? s : { ...s, phase: { name: 'endcall', busy: false, error: null } }
    case 'endCallClosed': return p.name === 'endcall' ? { ...s, phase: { name: 'list' } } : s
    case 'endCallSent': return p.name === 'endcall' && !p.busy ? { ...s, phase: { name: 'endcall', busy: true, error: null } } : s
    case 'endCallLogged':
      return { ...fresh(s), waitOffer: a.offer ?? null, notice: { kind: 'ok', text: `Appel enregistré : ${CALL_OUTCOME_FR[a.outcome]}. Prêt pour l’appel suivant.` } }
    case 'endCallFailed': return { ...s, phase: { name: 'endcall', busy: false, error: a.error.french } }
    case 'waitOfferTaken': return s.waitOffer === null ? s : { ...s, waitOffer: null, notice: null }

    case 'kindChosen': return a.kind === s.kind ? s : { ...s, kind: a.kind }
    case 'kindCheckOpened': return { ...s, kindCheck: a.slot }
    case 'kindCheckClosed': return s.kindCheck === null ? s : { ...s, kindCheck: null }

    case 'callbackOpened': return p.name === 'callback' ? s : { ...s, phase: { name: 'callback' }, kindCheck: null, notice: null }
    case 'callbackClosed': return p.name === 'callback' ? { ...s, phase: { name: 'list' } } : s
    case 'moveStarted': {
      // The slots are ranked by the patient's commune as the booking's call recorded it; none
      // recorded: whatever this call has.
      const c = a.booking.patientCommune
      return {
        ...(c !== undefined ? reduce(s, { type: 'communeChosen', commune: c }) : s),
        moving: a.booking,
        kind: a.booking.slot?.kind ?? s.kind,
        phase: { name: 'list' },
        notice: { kind: 'warn', text: 'Choisissez le nouveau créneau : il est bloqué d\u2019abord, l\u2019ancien n\u2019est libéré qu\u2019une fois le déplacement validé.' }
      }
    }
    case 'moveAbandoned': return s.moving === null ? s : { ...s, moving: null, notice: null }
    case 'moveRequested':
      return p.name === 'hold' && p.slot.id === a.slotId && s.moving !== null && holdBusy(s) === null ? { ...s, booking: a.slotId, formError: null } : s
    case 'moved':
      return {
        ...s,
        booking: null,
        moving: null,
        notice: null,
        phase: { name: 'booked', slot: a.slot, booking: a.booking, patientName: a.patientName, hasTreatingGp: a.booking.hasTreatingGp, callLog: 'ok', movedFrom: a.from }
      }
    case 'moveFailed': return reduce(s, { type: 'bookFailed', slotId: a.slotId, error: a.error })
    case 'bookingCancelled': return { ...fresh(s), notice: { kind: 'ok', text: a.text } }
  }
}

/**
 * The call's state for a page: `dispatch` applies an action at once, so that a handler that
 * awaited a reply reads the state as it is now, not as its render saw it. It answers whether
 * the action changed anything (false: ignored, e.g. "Prolonger" while a booking is on its way).
 */
export class CallStore {
  #state: CallState
  readonly #listeners = new Set<(s: CallState) => void>()

  constructor (initial: CallState = NEW_CALL) { this.#state = initial }

  get state (): CallState { return this.#state }

  dispatch (action: CallAction): boolean {
    const next = reduce(this.#state, action)
    if (next === this.#state) return false
    this.#state = next
    for (const l of this.#listeners) l(next)
    return true
  }

  subscribe (listener: (s: CallState) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }
}
