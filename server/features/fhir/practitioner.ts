import { idnpsOfRpps } from '../../../shared/rpps.js'
import { PROFILE, SYSTEM } from './codes.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { coding, type FhirResource } from './fhir-types.js'
import { splitPersonName } from './person-name.js'

/** The practitioner, known to the SAS by IdNat_PS: "8" + RPPS (FrPractitionerAgregateur). */
export function practitionerResource (r: Pick<FhirSlotRecord, 'practitioner_id' | 'practitioner_name' | 'rpps'>): FhirResource {
  return {
    resourceType: 'Practitioner',
    id: r.practitioner_id,
    meta: { profile: [PROFILE.practitioner] },
    identifier: [{ type: coding(SYSTEM.frV20203, 'IDNPS'), system: SYSTEM.idNatPs, value: idnpsOfRpps(r.rpps) }],
    name: [splitPersonName(r.practitioner_name)]
  }
}
