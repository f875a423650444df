import { DateTime, IANAZone } from 'luxon'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
/** Offsets are sampled this often, then each change is narrowed down to the minute. */
const STEP_MS = 6 * HOUR_MS

function offsetText (minutes: number): string {
  const abs = Math.abs(minutes)
  return (minutes < 0 ? '-' : '+') + String(Math.floor(abs / 60)).padStart(2, '0') + String(abs % 60).padStart(2, '0')
}

/** The wall time of `ms` read with `offset` minutes, as an iCalendar local DATE-TIME. */
function wallText (ms: number, offset: number): string {
  return new Date(ms + offset * MINUTE_MS).toISOString().slice(0, 19).replace(/[-:]/g, '')
}

function escapeText (value: string): string {
  return value.replace(/[\\;,]/g, (c) => '\\' + c)
}

interface Observance { at: number, from: number, to: number }

/** Every change of the zone's UTC offset in [fromMs, toMs), to the minute. */
function offsetChanges (zone: IANAZone, fromMs: number, toMs: number): Observance[] {
  const changes: Observance[] = []
  let prevMs = fromMs
  let prev = zone.offset(prevMs)
  for (let ms = fromMs + STEP_MS; ms < toMs + STEP_MS; ms += STEP_MS) {
    const cur = zone.offset(ms)
    if (cur !== prev) {
      // The offset is `prev` at lo and `cur` at hi: halve until they are a minute apart.
      let lo = prevMs
      let hi = ms
      while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS
        if (zone.offset(mid) === prev) lo = mid
        else hi = mid
      }
      if (hi < toMs) changes.push({ at: hi, from: prev, to: cur })
    }
    prevMs = ms
    prev = cur
  }
  return changes
}

const cache = new Map<string, string | null>()

/**
 * A VTIMEZONE component for an IANA zone, covering the years `fromYear`..`toYear` (local),
 * built from the runtime's time-zone data through luxon. Each change of offset is written as
 * its own observance with an explicit DTSTART and no RRULE: exact whatever the rules were in
 * those years, and read the same way by every client. A zone without changes (Indian/Reunion)
 * gets one STANDARD observance. Returns null for an unknown zone.
 *
 * ```ts
 * vtimezone('Europe/Paris', 2026, 2026)
 * // BEGIN:VTIMEZONE / TZID:Europe/Paris / BEGIN:STANDARD / DTSTART:20260101T000000 …
 * // BEGIN:DAYLIGHT / DTSTART:20260329T020000 / TZOFFSETFROM:+0100 / TZOFFSETTO:+0200 …
 * ```
 */
export function vtimezone (zoneName: string, fromYear: number, toYear: number): string | null {
  const key = `${zoneName}|${fromYear}|${toYear}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  const zone = IANAZone.create(zoneName)
  let text: string | null = null
  if (zone.isValid) {
    const lines = ['BEGIN:VTIMEZONE', `TZID:${zoneName}`]
    const observance = (at: number, from: number, to: number): void => {
      const dt = DateTime.fromMillis(at, { zone, locale: 'en-GB' })
      const type = dt.isInDST ? 'DAYLIGHT' : 'STANDARD'
      lines.push(`BEGIN:${type}`, `DTSTART:${wallText(at, from)}`, `TZOFFSETFROM:${offsetText(from)}`,
        `TZOFFSETTO:${offsetText(to)}`)
      if (dt.offsetNameShort !== null) lines.push(`TZNAME:${escapeText(dt.offsetNameShort)}`)
      lines.push(`END:${type}`)
    }
    // From local midnight on 1 January of fromYear (the offset then, as a first observance)
    // to the end of toYear: offsets are at most 14 hours either side of UTC.
    const first = zone.offset(Date.UTC(fromYear, 0, 1))
    const fromMs = Date.UTC(fromYear, 0, 1) - first * MINUTE_MS
    const toMs = Date.UTC(toYear + 1, 0, 1) + 14 * HOUR_MS
    observance(fromMs, first, first)
    for (const c of offsetChanges(zone, fromMs, toMs)) observance(c.at, c.from, c.to)
    lines.push('END:VTIMEZONE')
    text = lines.join('\r\n')
  }
  if (cache.size > 100) cache.clear()
  cache.set(key, text)
  return text
}
