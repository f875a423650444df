import { PROFILE, SYSTEM } from './codes.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { coding, fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'
import { toInternationalPhone } from './phone.js'

type RoleRecord = Pick<FhirSlotRecord, 'practitioner_id' | 'place_id' | 'address' | 'postal_code' | 'commune' | 'phone' | 'structure_id'>

const LOCATION_ID = 'lieu'

/**
 * One place where the practitioner consults (FrPractitionerRoleExerciceAgregateur, id = the
 * place's id), with the place as its one contained FrLocationAgregateur. `organization` names
 * the practice at that place by its IdNat_Struct ("1" + FINESS, "3" + SIRET, "4" + RPPS rang)
 * when the admin gave it; without it the element is left out, as the profile allows. The phone
 * is the place's, else the practitioner's (the query's coalesce). The CPTS is not the practice (the CPTS appears in INT_R04 as
 * HealthcareService/Organization).
 */
export function practitionerRoleResource (r: RoleRecord, ctx: FhirContext): FhirResource {
  const phone = toInternationalPhone(r.phone)
  return {
    resourceType: 'PractitionerRole',
    id: r.place_id,
    meta: { profile: [PROFILE.practitionerRole] },
    contained: [{
      resourceType: 'Location',
      id: LOCATION_ID,
      meta: { profile: [PROFILE.location] },
      identifier: [{ type: coding(SYSTEM.locationIdentifierType, 'INTRN'), system: `${fhirBase(ctx)}/location-id`, value: r.place_id }],
      address: { line: [r.address], city: r.commune, postalCode: r.postal_code }
    }],
    practitioner: { reference: `Practitioner/${r.practitioner_id}` },
    ...(r.structure_id === null
      ? {}
      : { organization: { identifier: { type: coding(SYSTEM.frV20203, 'IDNST'), system: SYSTEM.idNatStruct, value: r.structure_id } } }),
    location: [{ reference: `#${LOCATION_ID}` }],
    ...(phone === null ? {} : { telecom: [{ system: 'phone', value: phone }] })
  }
}
