/**
 * The waiting list on /regulation (issue 25), as pure functions: how long the patient can wait
 * turned into the request's last day, the open requests ranked as the server ranks them (best
 * live match, then the longest wait), the labels the list shows, and the body of
 * POST /api/waiting-list checked before it is sent. No DOM, no Preact, no I/O.
 */
import type { HasTreatingGp, Slot, SlotKind, SlotMode } from '../../shared/schemas/slots.js'
import { CreateRequestBody, MAX_WAIT_DAYS, type WaitingRequest } from '../../shared/schemas/waiting-list.js'
import { slotsFor } from '../../shared/waiting-match.js'
import { addDays, fold, formatDay, localDateOf } from '../lib/format.js'
import { bookingRequest, type PatientDraft } from './regulation-call.js'
import type { Commune } from './regulation-model.js'

/** What a call ended « aucun créneau » leaves for the waiting-list form: the call logged, what it knew. */
export interface WaitOffer {
  /** The call log's id (POST /api/calls), linked to the request. */
  callId: string | null
  commune: Commune | null
  kind: SlotKind
  hasTreatingGp: HasTreatingGp
  /** The CPTS the list was filtered on, if any (the request's territory and zone). */
  cptsId: string | null
}

/** The last day a patient who can wait `days` days (0: today only) can be seen, 'YYYY-MM-DD', from today in the territory's zone. */
export function untilFor (days: number, today: string): string {
  return addDays(today, Math.max(0, Math.min(MAX_WAIT_DAYS, Math.trunc(days))))
}

/** The choices of « Peut attendre » : today, tomorrow, then 2 … MAX_WAIT_DAYS days, each with its last day. */
export function waitChoices (today: string): Array<{ days: number, until: string, label: string }> {
  const out = []
  for (let days = 0; days <= MAX_WAIT_DAYS; days++) {
    const until = untilFor(days, today)
    const day = formatDay(until)
    const label = days === 0 ? `Aujourd’hui seulement (${day})` : days === 1 ? `Jusqu’à demain (${day})` : `${days} jours, jusqu’au ${day}`
    out.push({ days, until, label })
  }
  return out
}

/** The last local day of a request's window (`notAfter` is the start of the day after it, in the zone). */
export const lastDayOf = (notAfter: string, zone: string): string => localDateOf(Date.parse(notAfter) - 1, zone)

/** How long the patient has waited: 'depuis 12 min', 'depuis 2 h 05', 'depuis 3 j'. */
export function waitedLabel (createdAt: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000))
  if (minutes < 60) return `depuis ${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `depuis ${hours} h ${String(minutes % 60).padStart(2, '0')}`
  return `depuis ${Math.floor(hours / 24)} j`
}

/** The rank of a match in the list: 0 same commune … 3 elsewhere (a video slot only). */
export const MATCH_RANK_FR = ['même commune', 'intercommunalité', 'département', 'ailleurs'] as const

/** An open request as the list shows it: with its best live match (or the slot its claim holds). */
export interface RankedRequest {
  request: WaitingRequest
  match: { slot: Slot, rank: number } | null
}

/** A commune's name as typed or written: no case, accents, hyphens or apostrophes ('st jean' aside, 'saint jean' finds Saint-Jean-de-Monts). */
const loose = (s: string): string => fold(s).replace(/[-'’\s]+/g, ' ').trim()

/** Filters of the list: the kind ('' any) and a text the commune's name or code must contain. */
export interface WaitFilters { kind: SlotKind | '', commune: string }

/**
 * The open requests, filtered and ranked as the server ranks them: the best match first (a
 * request with none last), then the patient who has waited longest. A request claimed with a
 * slot shows that slot (held, so no longer « free » for the matcher).
 */
export function rankedRequests (requests: Iterable<WaitingRequest>, slots: ReadonlyMap<string, Slot>, now: number, filters: WaitFilters): RankedRequest[] {
  const free = [...slots.values()].filter((s) => s.status === 'free')
  const text = loose(filters.commune)
  const out: RankedRequest[] = []
  for (const request of requests) {
    if (request.status !== 'open') continue
    if (filters.kind !== '' && request.kind !== filters.kind) continue
    if (text !== '' && !loose(request.place.commune).includes(text) && !request.place.communeCode.startsWith(text)) continue
    const claimed = request.claim?.slotId != null && Date.parse(request.claim.expiresAt) > now ? slots.get(request.claim.slotId) : undefined
    const claimedRank = claimed !== undefined ? (slotsFor(request, [{ ...claimed, status: 'free' as const }], now)[0]?.rank ?? null) : null
    const match = claimed !== undefined && claimedRank !== null ? { slot: claimed, rank: claimedRank } : (slotsFor(request, free, now)[0] ?? null)
    out.push({ request, match })
  }
  return out.sort((a, b) => (a.match?.rank ?? 4) - (b.match?.rank ?? 4) ||
    Date.parse(a.request.createdAt) - Date.parse(b.request.createdAt) || a.request.id.localeCompare(b.request.id))
}

/** Who handles a request now: 'me', 'other', or null (nobody, or a claim run out). */
export function claimOf (r: WaitingRequest, now: number): 'me' | 'other' | null {
  return r.claim !== undefined && Date.parse(r.claim.expiresAt) > now ? r.claim.by : null
}

/** The form's values besides the patient (whose fields are the booking form's). */
export interface WaitFormValues {
  commune: Commune | null
  kind: SlotKind
  days: number
  modes: SlotMode[]
}

/**
 * The body of POST /api/waiting-list for the form, checked as the booking form is (the patient's
 * fields, the same French sentences by path), plus the commune and the modes. `today` in the
 * territory's zone.
 */
export function waitingRequest (offer: WaitOffer, v: WaitFormValues, draft: PatientDraft, today: string):
{ ok: true, body: CreateRequestBody } | { ok: false, errors: Record<string, string> } {
  const patient = bookingRequest(draft, 'waiting-list', today)
  const errors: Record<string, string> = patient.ok ? {} : { ...patient.errors }
  if (v.commune === null) errors.communeCode = 'Choisissez la commune du patient (touche /).'
  if (v.modes.length === 0) errors.modes = 'Cochez au moins un mode de consultation.'
  if (!patient.ok || Object.keys(errors).length > 0) return { ok: false, errors }
  const parsed = CreateRequestBody.safeParse({
    ...(offer.callId !== null ? { callId: offer.callId } : {}),
    ...(offer.cptsId !== null ? { cptsId: offer.cptsId } : {}),
    communeCode: v.commune?.code,
    kind: v.kind,
    modes: v.modes,
    until: untilFor(v.days, today),
    patient: patient.body.patient,
    ...(patient.body.reason !== undefined ? { reason: patient.body.reason } : {}),
    hasTreatingGp: patient.body.hasTreatingGp
  })
  if (!parsed.success) return { ok: false, errors: { form: 'Demande incomplète : vérifiez les champs.' } }
  return { ok: true, body: parsed.data }
}
