import { PROFILE } from './codes.js'
import type { FhirResource } from './fhir-types.js'

/**
 * One Schedule per place of a practitioner: the slots at that place. It shares its id with the
 * place's PractitionerRole (the place's id; a practitioner's first place took the account's id,
 * so the ids of before several places did not change). The guide puts both actors on the
 * Schedule; the kit's multi-place group checks exactly one Practitioner among them.
 */
export function scheduleResource (practitionerId: string, placeId: string): FhirResource {
  return {
    resourceType: 'Schedule',
    id: placeId,
    meta: { profile: [PROFILE.schedule] },
    actor: [{ reference: `Practitioner/${practitionerId}` }, { reference: `PractitionerRole/${placeId}` }]
  }
}
