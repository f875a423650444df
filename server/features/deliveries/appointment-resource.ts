import { idnpsOfRpps } from '../../../shared/rpps.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import type { BookingChange, DeliveryKind } from './booking-change.js'

/** Canonical URLs and code systems of the ANS SAS guide (ans.fhir.fr.sas 1.2.0, FrAppointmentSAS). */
export const SAS_APPOINTMENT_PROFILE = 'http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS'
export const APPOINTMENT_OPERATOR_URL = 'http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator'
export const FR_V2_0203 = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203'
/** IdNat_PS: "8" + RPPS, or "0" + ADELI. */
export const IDNPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1'
/** Identifiers given by the SAS platform to regulators without a national id (INT_R02). */
export const SAS_INTRN_SYSTEM = 'urn:oid:1.2.250.1.213.3.6'

export type AppointmentStatus = 'booked' | 'cancelled' | 'fulfilled' | 'noshow'

export const APPOINTMENT_STATUS: Record<DeliveryKind, AppointmentStatus> = {
  booked: 'booked', cancelled: 'cancelled', honored: 'fulfilled', no_show: 'noshow'
}

interface Identifier { type?: { coding: Array<{ system: string, code: string }> }, system: string, value: string }

/** The FHIR R4 Appointment the SAS platform receives (profile FrAppointmentSAS). */
export interface SasAppointment {
  resourceType: 'Appointment'
  meta: { profile: string[] }
  extension: Array<{ url: string, valueReference: { identifier: Identifier } }>
  identifier: Identifier[]
  status: AppointmentStatus
  start: string
  end: string
  created: string
  participant: Array<{ actor: { identifier: Identifier }, status: 'accepted' }>
}

/**
 * The appointment announcing a booking change to the SAS platform (INT_R03): its identifier
 * (`system`, our booking id) lets later updates find it; the regulator who booked is the
 * operator, as INTRN in the SAS's own system with the identifier the platform gave them
 * (INT_R02, `operatorSasId`: our account ids mean nothing there); the practitioner is the one
 * participant, by IdNat_PS. No patient: the profile does not ask for one, and none leaves this
 * server. Times carry the CPTS's offset.
 */
export function buildAppointment (change: BookingChange, idSystem: string, operatorSasId: string): SasAppointment {
  const zone = change.cpts.timezone
  return {
    resourceType: 'Appointment',
    meta: { profile: [SAS_APPOINTMENT_PROFILE] },
    extension: [{
      url: APPOINTMENT_OPERATOR_URL,
      valueReference: {
        identifier: { type: { coding: [{ system: FR_V2_0203, code: 'INTRN' }] }, system: SAS_INTRN_SYSTEM, value: operatorSasId }
      }
    }],
    identifier: [{ system: idSystem, value: change.booking.id }],
    status: APPOINTMENT_STATUS[change.kind],
    start: toZonedIso(change.slot.start, zone),
    end: toZonedIso(change.slot.end, zone),
    created: toZonedIso(change.booking.bookedAt, zone),
    participant: [{
      actor: { identifier: { type: { coding: [{ system: FR_V2_0203, code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: idnpsOfRpps(change.practitioner.rpps) } },
      status: 'accepted'
    }]
  }
}
