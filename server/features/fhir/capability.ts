import { PROFILE, SEARCH_PARAMETER } from './codes.js'
import { fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'
import { IDENTIFIER_PARAM, MAX_IDENTIFIERS } from './search-params.js'

/**
 * What this server answers (`GET /fhir/metadata`): the SAS platform's Slot search, with the
 * guide's profiles. `date` is the clock's now: the statement describes the running instance.
 */
export function capabilityStatement (ctx: FhirContext, now: Date): FhirResource {
  const resource = (type: string, profiles: string[]) => ({ type, supportedProfile: profiles })
  return {
    resourceType: 'CapabilityStatement',
    url: `${fhirBase(ctx)}/metadata`,
    name: 'CreneauxSlotServer',
    title: 'Créneaux: free unscheduled-care slots for the SAS platform',
    status: 'active',
    date: now.toISOString(),
    publisher: 'Créneaux',
    kind: 'instance',
    software: { name: 'Créneaux' },
    implementation: { description: 'Créneaux FHIR slot server (ANS SAS guide, flows INT_R01 and INT_R04)', url: fhirBase(ctx) },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [{
      mode: 'server',
      documentation: `Slot search of the ANS SAS guide: every match in one page; at most ${MAX_IDENTIFIERS} practitioner identifiers per search.`,
      security: {
        cors: false,
        description: 'Bearer token (Authorization: Bearer …) or a client certificate of the configured CA (mTLS, IGC Santé for the SAS platform).'
      },
      resource: [
        {
          ...resource('Slot', [PROFILE.slot, PROFILE.slotCpts]),
          interaction: [{ code: 'search-type' }],
          searchInclude: ['Slot:schedule', 'Schedule:actor', 'Slot:service-type-reference', 'HealthcareService:organization'],
          searchParam: [
            { name: 'start', definition: SEARCH_PARAMETER.start, type: 'date', documentation: 'Window on Slot.start: start=ge<dateTime>&start=le<dateTime> (both required).' },
            { name: 'status', definition: 'http://hl7.org/fhir/SearchParameter/Slot-status', type: 'token', documentation: 'Only free.' },
            { name: 'schedule', definition: 'http://hl7.org/fhir/SearchParameter/Slot-schedule', type: 'reference', documentation: `Chained as ${IDENTIFIER_PARAM}=urn:oid:1.2.250.1.71.4.2.1|8<RPPS>,… (OR list).` },
            { name: 'service-type-reference', definition: SEARCH_PARAMETER.serviceTypeReference, type: 'reference' }
          ]
        },
        resource('Schedule', [PROFILE.schedule]),
        resource('Practitioner', [PROFILE.practitioner]),
        resource('PractitionerRole', [PROFILE.practitionerRole]),
        resource('HealthcareService', [PROFILE.healthcareService]),
        resource('Organization', [PROFILE.organization])
      ]
    }]
  }
}
