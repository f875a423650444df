import { PROFILE, SYSTEM } from './codes.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { coding, fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'
import { toInternationalPhone } from './phone.js'

type RoleRecord = Pick<FhirSlotRecord, 'practitioner_id' | 'address' | 'postal_code' | 'commune' | 'phone' | 'finess'>

const LOCATION_ID = 'lieu'

/**
 * Where the practitioner consults (FrPractitionerRoleExerciceAgregateur), with the place as a
 * contained FrLocationAgregateur. The structure (`organization.identifier`, IdNat_Struct) is
 * the CPTS's "1" + FINESS when it has one; without it the element is left out (the profile
 * allows it, and we know no SIRET nor RPPS rang of the practice).
 */
export function practitionerRoleResource (r: RoleRecord, ctx: FhirContext): FhirResource {
  const phone = toInternationalPhone(r.phone)
  return {
    resourceType: 'PractitionerRole',
    id: r.practitioner_id,
    meta: { profile: [PROFILE.practitionerRole] },
    contained: [{
      resourceType: 'Location',
      id: LOCATION_ID,
      meta: { profile: [PROFILE.location] },
      identifier: [{ type: coding(SYSTEM.locationIdentifierType, 'INTRN'), system: `${fhirBase(ctx)}/location-id`, value: r.practitioner_id }],
      address: { line: [r.address], city: r.commune, postalCode: r.postal_code }
    }],
    practitioner: { reference: `Practitioner/${r.practitioner_id}` },
    ...(r.finess === null
      ? {}
      : { organization: { identifier: { type: coding(SYSTEM.frV20203, 'IDNST'), system: SYSTEM.idNatStruct, value: `1${r.finess}` } } }),
    location: [{ reference: `#${LOCATION_ID}` }],
    ...(phone === null ? {} : { telecom: [{ system: 'phone', value: phone }] })
  }
}
