/**
 * Instants read in an IANA zone: the offset-carrying ISO text every answer uses, and the local
 * date of an instant. Pure (no database, no "now"); shared by every feature that shows times.
 * A string without an offset is read as UTC (how instants are stored), never as server-local.
 */
import { DateTime, IANAZone } from 'luxon'

const MINUTE_MS = 60_000

/** Throws a RangeError when `zone` is not an IANA zone the runtime knows. */
export function assertZone (zone: string): void {
  if (!DateTime.fromMillis(0, { zone }).isValid) throw new RangeError(`unknown time zone: ${zone}`)
}

function toDateTime (instant: Date | string, zone: string): DateTime {
  assertZone(zone)
  const dt = typeof instant === 'string'
    ? DateTime.fromISO(instant, { zone: 'utc' })
    : DateTime.fromJSDate(instant)
  if (!dt.isValid) throw new RangeError(`invalid instant: ${String(instant)}`)
  return dt.setZone(zone)
}

/**
 * Formats an instant in the zone as ISO with the zone's offset and no milliseconds
 * (truncated), e.g. '2026-07-13T12:00:00+02:00'. A string is read as ISO 8601; without an
 * offset it is taken as UTC. Throws a RangeError for an invalid instant or an unknown zone.
 * @example toZonedIso('2026-07-13T10:00:00Z', 'Europe/Paris') // '2026-07-13T12:00:00+02:00'
 */
export function toZonedIso (instant: Date | string, zone: string): string {
  // A snapshot formats thousands of instants, most of them shared by many slots (every GP's
  // 08:00): the text of an instant already formatted in the zone is kept (the function is pure).
  // luxon's offset allocates ~2 KB a call (Intl parts): the cache spares a burst of snapshots most of that.
  const key = instant instanceof Date ? instant.getTime() : instant
  const known = formatted.get(zone)
  let out = known?.get(key)
  if (out === undefined) {
    // Throws for an unknown zone or an invalid instant: nothing is kept for those.
    out = formatZonedIso(instant, zone)
    if (known === undefined) formatted.set(zone, new Map([[key, out]]))
    else {
      if (known.size >= FORMATTED_MAX) known.clear()
      known.set(key, out)
    }
  }
  return out
}

/** Instants formatted by toZonedIso, by zone: at most this many each (then forgotten at once). */
const FORMATTED_MAX = 4096
const formatted = new Map<string, Map<string | number, string>>()

function formatZonedIso (instant: Date | string, zone: string): string {
  // Hot path (every slot of every snapshot and event): the zone's offset from luxon, the
  // digits from Date, ~5× cheaper than DateTime#toFormat. Other inputs take luxon's own path.
  const ms = instant instanceof Date ? instant.getTime() : (WITH_OFFSET.test(instant) ? Date.parse(instant) : NaN)
  if (Number.isNaN(ms)) return toDateTime(instant, zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ")
  const offset = ianaZone(zone).offset(ms)
  const abs = Math.abs(offset)
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return new Date(ms + offset * MINUTE_MS).toISOString().slice(0, 19) + (offset < 0 ? '-' : '+') + hhmm
}

/** Full ISO instants with an explicit offset or Z, which Date.parse reads exactly. */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

const zones = new Map<string, IANAZone>()
function ianaZone (zone: string): IANAZone {
  let z = zones.get(zone)
  if (z === undefined) {
    assertZone(zone)
    z = IANAZone.create(zone)
    zones.set(zone, z)
  }
  return z
}

/**
 * Local date 'YYYY-MM-DD' of an instant in the zone (same reading of strings as toZonedIso).
 * @example localDate('2026-07-13T22:00:00Z', 'Europe/Paris') // '2026-07-14'
 */
export function localDate (instant: Date | string, zone: string): string {
  return toDateTime(instant, zone).toFormat('yyyy-MM-dd')
}
