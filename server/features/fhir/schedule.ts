import { PROFILE } from './codes.js'
import type { FhirResource } from './fhir-types.js'

/**
 * One Schedule per practitioner: our practitioners consult at one place, so one
 * PractitionerRole each, and the Schedule, the Practitioner and the PractitionerRole share the
 * practitioner's id. The guide puts both actors on the Schedule.
 */
export function scheduleResource (practitionerId: string): FhirResource {
  return {
    resourceType: 'Schedule',
    id: practitionerId,
    meta: { profile: [PROFILE.schedule] },
    actor: [{ reference: `Practitioner/${practitionerId}` }, { reference: `PractitionerRole/${practitionerId}` }]
  }
}
