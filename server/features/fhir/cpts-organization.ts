import { PROFILE, SYSTEM } from './codes.js'
import { coding, type FhirResource } from './fhir-types.js'

export interface CptsRecord { cpts_id: string, cpts_name: string, finess: string }

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

/** The CPTS, identified by IdNat_Struct "1" + FINESS (the profile's invariant: ^1[0-9]{9}$). */
export function organizationResource (c: CptsRecord): FhirResource {
  return {
    resourceType: 'Organization',
    id: c.cpts_id,
    meta: { profile: [PROFILE.organization] },
    identifier: [{ type: coding(SYSTEM.frCoreV20203, 'IDNST'), system: SYSTEM.idNatStruct, value: `1${c.finess}` }],
    name: c.cpts_name
  }
}
