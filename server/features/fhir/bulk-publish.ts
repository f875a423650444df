/**
 * SMART Scheduling Links (github.com/smart-on-fhir/smart-scheduling-links, "Slot Publisher
 * API"): a public manifest at `$bulk-publish` and one NDJSON file per resource type. Pure
 * builders: no HTTP, no database.
 *
 * Public means no patient ever appears: a booked or held slot is only `busy`. Our slots are
 * kept for the regulation, so the way to book one is the 116 117 line, which is the phone given.
 */
import { toZonedIso } from '../../lib/zoned-time.js'
import { holdHasLapsed } from '../slots/hold-rule.js'
import { SPECIALTY_CODE, SYSTEM } from './codes.js'
import type { FhirSlotRecord } from './fhir-repository.js'
import { coding, fhirBase, type FhirContext, type FhirResource } from './fhir-types.js'

export const BULK_TYPES = ['Location', 'Schedule', 'Slot'] as const
export type BulkType = (typeof BULK_TYPES)[number]

/** Slots published: those not ended that start within this many days. */
export const BULK_HORIZON_DAYS = 31

/** How long clients and caches may keep the files (the spec expects polling every 1–5 minutes). */
export const BULK_MAX_AGE_SECONDS = 300

/** The SAS number (116 117), where the regulation books these slots. */
export const BOOKING_PHONE = '116117'

const BOOKING_PHONE_EXTENSION = 'http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone'
const HL7_SERVICE_TYPE = 'http://terminology.hl7.org/CodeSystem/service-type'

export const bulkFileUrl = (ctx: FhirContext, type: BulkType): string => `${fhirBase(ctx)}/bulk/${type}.ndjson`

export interface BulkManifest {
  transactionTime: string
  request: string
  output: Array<{ type: BulkType, url: string }>
  error: unknown[]
}

export function bulkManifest (ctx: FhirContext, now: Date): BulkManifest {
  return {
    transactionTime: now.toISOString(),
    request: `${fhirBase(ctx)}/$bulk-publish`,
    output: BULK_TYPES.map((type) => ({ type, url: bulkFileUrl(ctx, type) })),
    error: []
  }
}

type Place = Pick<FhirSlotRecord, 'place_id' | 'practitioner_name' | 'address' | 'postal_code' | 'commune'>

/** A place where a practitioner consults (id = the place's id: a practitioner may have several). */
export function smartLocation (r: Place): FhirResource {
  return {
    resourceType: 'Location',
    id: r.place_id,
    name: `${r.practitioner_name} (${r.commune})`,
    description: 'Créneaux de soins non programmés réservés par la régulation : appelez le 116 117.',
    telecom: [{ system: 'phone', value: BOOKING_PHONE }],
    address: { line: [r.address], city: r.commune, postalCode: r.postal_code, country: 'FR' }
  }
}

/** The practitioner's calendar of unscheduled care at one place (id = the place's id). */
export function smartSchedule (r: Pick<FhirSlotRecord, 'place_id' | 'kind'>): FhirResource {
  const serviceType = r.kind === 'snp'
    ? { coding: [{ system: HL7_SERVICE_TYPE, code: '124', display: 'General Practice' }], text: 'Soins non programmés (médecine générale)' }
    : { text: 'Consultation psychiatrique rapide' }
  return {
    resourceType: 'Schedule',
    id: r.place_id,
    serviceType: [serviceType],
    specialty: [coding(SYSTEM.specialty, SPECIALTY_CODE[r.kind])],
    actor: [{ reference: `Location/${r.place_id}` }]
  }
}

/** A slot as `free` or `busy` (held or booked): nothing else of its state leaves. */
export function smartSlot (r: FhirSlotRecord, now: Date): FhirResource {
  const free = r.status === 'free' || holdHasLapsed(r, now.toISOString())
  return {
    resourceType: 'Slot',
    id: r.id,
    schedule: { reference: `Schedule/${r.place_id}` },
    status: free ? 'free' : 'busy',
    start: toZonedIso(r.start_at, r.timezone),
    end: toZonedIso(r.end_at, r.timezone),
    extension: [{ url: BOOKING_PHONE_EXTENSION, valueString: BOOKING_PHONE }]
  }
}

/** The resources of one file, from the published slots (Locations and Schedules of their places). */
export function bulkResources (type: BulkType, rows: FhirSlotRecord[], now: Date): FhirResource[] {
  if (type === 'Slot') return rows.map((r) => smartSlot(r, now))
  const byPlace = new Map<string, FhirSlotRecord>()
  for (const r of rows) if (!byPlace.has(r.place_id)) byPlace.set(r.place_id, r)
  const firsts = [...byPlace.values()]
  return type === 'Location' ? firsts.map(smartLocation) : firsts.map(smartSchedule)
}

/** One minified resource per line, each line ended by a newline. */
export function toNdjson (resources: FhirResource[]): string {
  return resources.map((r) => JSON.stringify(r) + '\n').join('')
}
