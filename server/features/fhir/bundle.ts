import { PROFILE } from './codes.js'
import { healthcareServiceResource, organizationResource, type CptsRecord } from './cpts-organization.js'
import type { CptsDirectoryEntry, FhirSlotRecord } from './fhir-repository.js'
import { fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'
import { practitionerRoleResource } from './practitioner-role.js'
import { practitionerResource } from './practitioner.js'
import { scheduleResource } from './schedule.js'
import type { SlotSearch } from './search-params.js'
import { slotResource } from './slot.js'
import { offeredCptsIds } from '../slots/offer-rule.js'

export interface SearchsetInput {
  /** The matching free slots, in the order to list them. */
  rows: FhirSlotRecord[]
  /** Every CPTS by id (cptsDirectory): those a slot is offered to. */
  cpts: ReadonlyMap<string, CptsDirectoryEntry>
  search: SlotSearch
  ctx: FhirContext
  /** The request as received: the Bundle's self link. */
  selfUrl: string
  now: Date
}

interface Entry { fullUrl: string, resource: FhirResource, search: { mode: 'match' | 'include' } }

/**
 * The CPTS that see a slot in INT_R04: those it is offered to (its own first, then the extras by
 * id) that have a FINESS, the SAS platform's key; none in INT_R01.
 */
function offeredTo (r: FhirSlotRecord, search: SlotSearch, directory: ReadonlyMap<string, CptsDirectoryEntry>): CptsRecord[] {
  if (!search.cpts) return []
  return offeredCptsIds(r).map((id) => directory.get(id))
    .filter((c): c is CptsRecord => c !== undefined && c.finess !== null)
}

/**
 * The searchset the SAS platform expects: every match in one page (the guide defines no
 * paging, and its CPTS Bundle allows a single link), `total` = the matched Slots, each
 * resource once, with its `fullUrl` and `search.mode`. The includes resolve inside the Bundle:
 * every `Slot.schedule`, `Schedule.actor` and `HealthcareService.providedBy` names an entry.
 */
export function searchsetBundle ({ rows, cpts: directory, search, ctx, selfUrl, now }: SearchsetInput): FhirResource {
  const entry = (resource: FhirResource, mode: Entry['search']['mode']): Entry =>
    ({ fullUrl: `${fhirBase(ctx)}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode } })
  const entries: Entry[] = []
  // By practitioner, in the order first seen, the places of their matched slots (one Schedule
  // and one PractitionerRole each); the CPTS any slot is offered to (one HealthcareService and
  // one Organization each: as many of one as of the other, as the kit counts them).
  const practitioners = new Map<string, { first: FhirSlotRecord, places: Map<string, FhirSlotRecord> }>()
  const cpts = new Map<string, CptsRecord>()
  for (const r of rows) {
    const to = offeredTo(r, search, directory)
    entries.push(entry(slotResource(r, ctx, to), 'match'))
    const p = practitioners.get(r.practitioner_id) ?? { first: r, places: new Map<string, FhirSlotRecord>() }
    if (!p.places.has(r.place_id)) p.places.set(r.place_id, r)
    practitioners.set(r.practitioner_id, p)
    for (const c of to) if (!cpts.has(c.cpts_id)) cpts.set(c.cpts_id, c)
  }
  for (const [id, p] of practitioners) {
    if (search.include.practitioner) entries.push(entry(practitionerResource(p.first), 'include'))
    for (const [placeId, r] of p.places) {
      if (search.include.schedule) entries.push(entry(scheduleResource(id, placeId), 'include'))
      if (search.include.practitionerRole) entries.push(entry(practitionerRoleResource(r, ctx), 'include'))
    }
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
