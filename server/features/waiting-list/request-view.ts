import type { WaitingRequestRow } from '../../../db/types.js'
import type { RequestPlace, WaitingRequest, WaitingRequestDetail } from '../../../shared/schemas/waiting-list.js'
import type { SlotMode } from '../../../shared/schemas/slots.js'
import { communeByCode } from '../../lib/communes.js'
import { toZonedIso } from '../../lib/zoned-time.js'

/** A request's row with the time zone of its territory (for the instants it answers with). */
export type RequestRecord = WaitingRequestRow & { timezone: string }

/**
 * A request as everyone allowed to see it may: no patient data; its claim names the holder by id
 * (each viewer is told `me` or `other`, as a slot's hold). The payload of `request.*` events.
 */
export type NeutralRequest = Omit<WaitingRequest, 'claim'> & { claim?: { holderId: string, expiresAt: string, slotId: string | null } }

/** A claim lives while now is before its expiry; past it the request is free to claim (as a hold). */
export function claimIsLive (r: Pick<WaitingRequestRow, 'claim_by' | 'claim_expires_at'>, nowIso: string): boolean {
  return r.claim_by !== null && r.claim_expires_at !== null && r.claim_expires_at > nowIso
}

export function placeOf (communeCode: string): RequestPlace {
  const c = communeByCode(communeCode)
  return { communeCode, commune: c?.name ?? communeCode, epci: c?.epci ?? null, departement: c?.departement ?? communeCode.slice(0, 2) }
}

export function toNeutralRequest (r: RequestRecord, now: Date): NeutralRequest {
  const zoned = (iso: string): string => toZonedIso(iso, r.timezone)
  const view: NeutralRequest = {
    id: r.id,
    cptsId: r.cpts_id,
    callId: r.call_id,
    createdAt: zoned(r.created_at),
    place: placeOf(r.commune_code),
    kind: r.kind,
    modes: r.modes.split(',') as SlotMode[],
    notAfter: zoned(r.not_after),
    hasTreatingGp: r.has_treating_gp,
    status: r.status,
    endedAt: r.ended_at === null ? null : zoned(r.ended_at),
    bookingId: r.booking_id
  }
  if (r.status === 'open' && claimIsLive(r, now.toISOString())) {
    view.claim = { holderId: r.claim_by!, expiresAt: zoned(r.claim_expires_at!), slotId: r.claim_slot_id }
  }
  return view
}

/** The request as one viewer sees it: their own claim as `me`. */
export function requestForViewer (n: NeutralRequest, viewerId: string | null): WaitingRequest {
  if (n.claim === undefined) return n as WaitingRequest
  const { claim, ...rest } = n
  return { ...rest, claim: { by: claim.holderId === viewerId ? 'me' : 'other', expiresAt: claim.expiresAt, slotId: claim.slotId } }
}

/** With the patient: regulators only, and the caller audits the read. */
export function toRequestDetail (r: RequestRecord, now: Date, viewerId: string): WaitingRequestDetail {
  const patient = r.patient_last_name === null
    ? null
    : { lastName: r.patient_last_name, firstName: r.patient_first_name ?? '', birthDate: r.patient_birth_date ?? '', phone: r.patient_phone ?? '' }
  return { ...requestForViewer(toNeutralRequest(r, now), viewerId), patient, reason: r.reason, endReason: r.end_reason }
}
