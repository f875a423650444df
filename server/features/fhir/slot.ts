import type { CptsRecord } from './cpts-organization.js'
import { CPTS_CATEGORY_CODE, MODE_CODE, PROFILE, SERVICE_TYPE_REFERENCE_EXTENSION, SPECIALTY_CODE, SYSTEM } from './codes.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { coding, fhirInstant, type CodeableConcept, type FhirContext, type FhirResource } from './fhir-types.js'

/**
 * The page that opens booking with this practitioner's slots on our side: the guide asks for the
 * practitioner's agenda, not one URL per slot; the SAS appends `origin=sas` when it sends
 * a regulator there.
 */
export function bookingPageUrl (ctx: FhirContext, practitionerId: string): string {
  return `${ctx.publicUrl}/regulation?praticien=${encodeURIComponent(practitionerId)}`
}

/**
 * A free slot as the SAS platform reads it (FrSlotAgregateur). Every slot here is kept for the
 * regulation: audience `SNP`. With `offeredTo` not empty (an INT_R04 search: the CPTS the slot
 * is offered to that have a FINESS, its own first) it is a CPTS slot: audience exactly `CPTS`
 * (what the certification kit checks in its CPTS option), the R04 profile, and one serviceType
 * entry per CPTS naming its HealthcareService (the kit's multi-CPTS groups: a slot seen by two
 * CPTS names both). Instants carry milliseconds, as the kit checks them.
 */
export function slotResource (r: FhirSlotRecord, ctx: FhirContext, offeredTo: readonly CptsRecord[]): FhirResource {
  const audience = (code: string) => ({ system: SYSTEM.slotAudience, code })
  const serviceType: CodeableConcept[] = [coding(SYSTEM.actCode, MODE_CODE[r.mode])]
  for (const c of offeredTo) {
    serviceType.push({
      extension: [{ url: SERVICE_TYPE_REFERENCE_EXTENSION, valueReference: { reference: `HealthcareService/${c.cpts_id}` } }],
      coding: [{ system: SYSTEM.establishmentCategory, code: CPTS_CATEGORY_CODE }]
    })
  }
  const toCpts = offeredTo.length > 0
  return {
    resourceType: 'Slot',
    id: r.id,
    meta: {
      profile: [toCpts ? PROFILE.slotCpts : PROFILE.slot],
      security: [audience(toCpts ? 'CPTS' : 'SNP')]
    },
    serviceType,
    specialty: [coding(SYSTEM.specialty, SPECIALTY_CODE[r.kind])],
    appointmentType: coding(SYSTEM.appointmentType, 'ROUTINE'),
    schedule: { reference: `Schedule/${r.place_id}` },
    status: 'free',
    start: fhirInstant(r.start_at, r.timezone),
    end: fhirInstant(r.end_at, r.timezone),
    comment: bookingPageUrl(ctx, r.practitioner_id)
  }
}
