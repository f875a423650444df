import { PROFILE } from './codes.js'
import { healthcareServiceResource, organizationResource, type CptsRecord } from './cpts-organization.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'
import { practitionerRoleResource } from './practitioner-role.js'
import { practitionerResource } from './practitioner.js'
import { scheduleResource } from './schedule.js'
import type { SlotSearch } from './search-params.js'
import { slotResource } from './slot.js'

export interface SearchsetInput {
  /** The matching free slots, in the order to list them. */
  rows: FhirSlotRecord[]
  search: SlotSearch
  ctx: FhirContext
  /** The request as received: the Bundle's self link. */
  selfUrl: string
  now: Date
}

interface Entry { fullUrl: string, resource: FhirResource, search: { mode: 'match' | 'include' } }

/** A slot goes to its CPTS too (INT_R04) when the search asks for CPTS and the CPTS has a FINESS. */
const offeredToCpts = (r: FhirSlotRecord, search: SlotSearch): r is FhirSlotRecord & { finess: string } =>
  search.cpts && r.finess !== null

/**
 * The searchset the SAS platform expects: every match in one page (the guide defines no
 * paging, and its CPTS Bundle allows a single link), `total` = the matched Slots, each
 * resource once, with its `fullUrl` and `search.mode`. The includes resolve inside the Bundle:
 * every `Slot.schedule`, `Schedule.actor` and `HealthcareService.providedBy` names an entry.
 */
export function searchsetBundle ({ rows, search, ctx, selfUrl, now }: SearchsetInput): FhirResource {
  const entry = (resource: FhirResource, mode: Entry['search']['mode']): Entry =>
    ({ fullUrl: `${fhirBase(ctx)}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode } })
  const entries: Entry[] = rows.map((r) => entry(slotResource(r, ctx, offeredToCpts(r, search)), 'match'))

  const practitioners = new Map<string, FhirSlotRecord>()
  const cpts = new Map<string, CptsRecord>()
  for (const r of rows) {
    if (!practitioners.has(r.practitioner_id)) practitioners.set(r.practitioner_id, r)
    if (offeredToCpts(r, search) && !cpts.has(r.cpts_id)) cpts.set(r.cpts_id, r)
  }
  for (const [id, r] of practitioners) {
    if (search.include.schedule) entries.push(entry(scheduleResource(id), 'include'))
    if (search.include.practitioner) entries.push(entry(practitionerResource(r), 'include'))
    if (search.include.practitionerRole) entries.push(entry(practitionerRoleResource(r, ctx), 'include'))
  }
  for (const c of cpts.values()) {
    if (search.include.healthcareService) entries.push(entry(healthcareServiceResource(c), 'include'))
    if (search.include.organization) entries.push(entry(organizationResource(c), 'include'))
  }

  // The CPTS Bundle profile needs at least one CPTS Slot, Schedule, Practitioner and
  // PractitionerRole: an answer without them (empty, no CPTS with a FINESS, includes not asked
  // for) stays a plain BundleAgregateur.
  const cptsBundle = cpts.size > 0 && search.include.schedule && search.include.practitioner && search.include.practitionerRole
  return {
    resourceType: 'Bundle',
    meta: { profile: [cptsBundle ? PROFILE.bundleCpts : PROFILE.bundle], lastUpdated: now.toISOString() },
    type: 'searchset',
    total: rows.length,
    link: [{ relation: 'self', url: selfUrl }],
    ...(entries.length > 0 ? { entry: entries } : {})
  }
}
