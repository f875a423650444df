import { toZonedIso } from '../../lib/zoned-time.js'

/** The little of FHIR's JSON shapes our builders need: resources stay plain objects. */
export interface FhirResource {
  resourceType: string
  id?: string
  [element: string]: unknown
}

export interface Coding { system: string, code: string, display?: string }
export interface CodeableConcept { coding?: Coding[], text?: string, extension?: Array<{ url: string, valueReference: { reference: string } }> }

/** What every builder needs to know about where it is served. */
export interface FhirContext {
  /** The server's public address, no trailing slash (`PUBLIC_URL`). */
  publicUrl: string
}

/** The FHIR base of this server: `fullUrl`s are `${fhirBase(ctx)}/<Type>/<id>`. */
export const fhirBase = (ctx: FhirContext): string => `${ctx.publicUrl}/fhir`

export const coding = (system: string, code: string): CodeableConcept => ({ coding: [{ system, code }] })

/**
 * An instant as the SAS kit checks it: ISO with milliseconds and the zone's offset,
 * `2026-12-07T10:00:00.000+01:00` (FHIR allows the milliseconds out; the kit does not).
 */
export function fhirInstant (instant: string, zone: string): string {
  const zoned = toZonedIso(instant, zone)
  const ms = String(new Date(instant).getUTCMilliseconds()).padStart(3, '0')
  return `${zoned.slice(0, 19)}.${ms}${zoned.slice(19)}`
}
