/**
 * Which waiting-list requests a slot answers, as plain functions shared by the server (the
 * `request.matched` events, the list's matches) and the regulation page (the same list shown live).
 */

/** Where a practice or a patient is: commune, intercommunality (EPCI), département. */
export interface Place { communeCode: string, epci: string | null, departement: string }

/**
 * The geography of the regulation board: 0 same commune, 1 same intercommunality, 2 same
 * département, 3 elsewhere. The one home of the rule (web/components/regulation-model.ts `rankOf` calls it).
 */
export function geoRank (practice: Place, patient: Place): number {
  if (practice.communeCode === patient.communeCode) return 0
  if (patient.epci !== null && practice.epci === patient.epci) return 1
  if (practice.departement === patient.departement) return 2
  return 3
}

export interface MatchSlot {
  id: string
  kind: string
  mode: string
  start: string
  /** free, or held past its expiry (already read as free by the server's views). */
  status: string
  /** Where the slot is (one practitioner may consult at several places). */
  place: Place
}

export interface MatchRequest {
  id: string
  kind: string
  modes: readonly string[]
  notAfter: string
  createdAt: string
  status: string
  place: Place
}

/**
 * The rank of the match when `slot` answers `request` at `now`, else null: the request is open,
 * the slot free, of the same kind and an accepted mode, starting after now and before the end of
 * the window. An office or home slot must lie in the patient's département (a patient is not sent
 * across France); a video slot matches anywhere, ranked all the same.
 */
export function matchRank (slot: MatchSlot, request: MatchRequest, now: number): number | null {
  if (request.status !== 'open' || slot.status !== 'free') return null
  if (slot.kind !== request.kind || !request.modes.includes(slot.mode)) return null
  const start = Date.parse(slot.start)
  if (!(start > now) || !(start < Date.parse(request.notAfter))) return null
  const rank = geoRank(slot.place, request.place)
  return rank === 3 && slot.mode !== 'video' ? null : rank
}

/** The requests a slot answers, best first: nearest geography, then the longest wait. */
export function requestsFor<R extends MatchRequest> (slot: MatchSlot, requests: Iterable<R>, now: number): Array<{ request: R, rank: number }> {
  const out: Array<{ request: R, rank: number }> = []
  for (const request of requests) {
    const rank = matchRank(slot, request, now)
    if (rank !== null) out.push({ request, rank })
  }
  return out.sort((a, b) => a.rank - b.rank || Date.parse(a.request.createdAt) - Date.parse(b.request.createdAt) || a.request.id.localeCompare(b.request.id))
}

/** The slots that answer a request, best first: nearest geography, then the soonest. */
export function slotsFor<S extends MatchSlot> (request: MatchRequest, slots: Iterable<S>, now: number): Array<{ slot: S, rank: number }> {
  const out: Array<{ slot: S, rank: number }> = []
  for (const slot of slots) {
    const rank = matchRank(slot, request, now)
    if (rank !== null) out.push({ slot, rank })
  }
  return out.sort((a, b) => a.rank - b.rank || Date.parse(a.slot.start) - Date.parse(b.slot.start) || a.slot.id.localeCompare(b.slot.id))
}
