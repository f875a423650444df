import { PROFILE, SYSTEM } from './codes.js'
import type { FhirResource } from './fhir-types.js'
import { toInternationalPhone } from './phone.js'

export interface CptsRecord { cpts_id: string, cpts_name: string, finess: string, cpts_phone: string | null }

/** The CPTS's service that sees the slot (INT_R04), provided by the CPTS Organization. */
export function healthcareServiceResource (c: CptsRecord): FhirResource {
  return {
    resourceType: 'HealthcareService',
    id: c.cpts_id,
    meta: { profile: [PROFILE.healthcareService] },
    providedBy: { reference: `Organization/${c.cpts_id}` },
    name: c.cpts_name
  }
}

/**
 * The type of the CPTS's identifier, as both versions of the guide spell it: IG 1.1.0 (which the
 * certification kit validates against) patterns `fr-location-identifier-type#IDNST`, IG 1.2.0
 * `fr-core-cs-v2-0203#IDNST`. A pattern asks for its coding among others: one CodeableConcept
 * with both satisfies either.
 */
export const ORGANIZATION_IDENTIFIER_TYPE = {
  coding: [
    { system: SYSTEM.locationIdentifierType, code: 'IDNST' },
    { system: SYSTEM.frCoreV20203, code: 'IDNST' }
  ]
}

/**
 * The CPTS, identified by IdNat_Struct "1" + FINESS (the profile's invariant: ^1[0-9]{9}$), with
 * its phone when the admin gave one (the kit's optional Organization fields).
 */
export function organizationResource (c: CptsRecord): FhirResource {
  const phone = c.cpts_phone === null ? null : toInternationalPhone(c.cpts_phone)
  return {
    resourceType: 'Organization',
    id: c.cpts_id,
    meta: { profile: [PROFILE.organization] },
    identifier: [{ type: ORGANIZATION_IDENTIFIER_TYPE, system: SYSTEM.idNatStruct, value: `1${c.finess}` }],
    name: c.cpts_name,
    ...(phone === null ? {} : { telecom: [{ system: 'phone', value: phone }] })
  }
}
