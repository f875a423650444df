/**
 * Pure time logic for publishing slots: checks of one slot's instants, expansion of a weekly
 * series in the territory's IANA zone (formatting instants in a zone is server/lib/zoned-time.ts).
 * No HTTP, no database, no "now" of its own: callers pass the clock's now.
 *
 * Series are wall-clock: "12:00 every Monday" stays 12:00 local across a DST change. A local
 * time that does not exist (spring-forward gap) is skipped; a local time that occurs twice
 * (fall-back) takes the first occurrence, the earlier instant.
 */
import { DateTime } from 'luxon'
import { assertZone, toZonedIso } from '../../lib/zoned-time.js'

export interface SlotLimits {
  /** Shortest slot, in minutes (inclusive). */
  minMinutes: number
  /** Longest slot, in minutes (inclusive). */
  maxMinutes: number
  /** A slot may start at most this many days (of 24 hours) after now. */
  maxDaysAhead: number
}

export const DEFAULT_LIMITS: SlotLimits = Object.freeze({ minMinutes: 5, maxMinutes: 240, maxDaysAhead: 180 })

/** Most consecutive slots a series may publish on one day. */
export const SERIES_MAX_COUNT = 48

/** Shaped like a zod custom issue, so that it can go into the `details` of a VALIDATION error. */
export type TimeIssue = { code: 'custom', path: (string | number)[], message: string }

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS

/** Why one slot of a series was not published (the rest of the series still is). */
export type SkipReason =
  /** The local time falls in a spring-forward gap (e.g. 02:30 on 2026-03-29 in Europe/Paris). */
  | 'nonexistent_local_time'
  /** The slot starts before now. */
  | 'in_the_past'
  /** The slot starts more than maxDaysAhead days after now. */
  | 'too_far_ahead'
  /**
   * The slot would overlap the previous slot of the same series. Only happens next to a
   * spring-forward gap: a slot ending in the gap lasts its real minutes, so it ends after the
   * wall time of the next slot that exists (e.g. 01:45 for 45 minutes ends at 03:30 local).
   */
  | 'overlaps_previous'

type SlotProblem = { reason: 'in_the_past' | 'too_far_ahead' | null, issue: TimeIssue }

function issue (path: 'start' | 'end' | keyof SeriesInput, message: string, index?: number): TimeIssue {
  return { code: 'custom', path: index === undefined ? [path] : [path, index], message }
}

function slotProblems (start: Date, end: Date, now: Date, limits: SlotLimits): SlotProblem[] {
  const s = start.getTime()
  const e = end.getTime()
  const problems: SlotProblem[] = []
  if (Number.isNaN(s)) problems.push({ reason: null, issue: issue('start', 'start must be a valid date and time') })
  if (Number.isNaN(e)) problems.push({ reason: null, issue: issue('end', 'end must be a valid date and time') })
  if (problems.length > 0) return problems

  if (e <= s) {
    problems.push({ reason: null, issue: issue('end', 'end must be after start') })
  } else {
    const minutes = (e - s) / MINUTE_MS
    if (minutes < limits.minMinutes) {
      problems.push({ reason: null, issue: issue('end', `a slot lasts at least ${limits.minMinutes} minutes`) })
    } else if (minutes > limits.maxMinutes) {
      problems.push({ reason: null, issue: issue('end', `a slot lasts at most ${limits.maxMinutes} minutes`) })
    }
  }
  const n = now.getTime()
  if (s < n) {
    problems.push({ reason: 'in_the_past', issue: issue('start', 'start must not be in the past') })
  } else if (s > n + limits.maxDaysAhead * DAY_MS) {
    problems.push({ reason: 'too_far_ahead', issue: issue('start', `start must be at most ${limits.maxDaysAhead} days ahead`) })
  }
  return problems
}

/**
 * Checks one slot's instants against now and the limits: end after start, duration within
 * [minMinutes, maxMinutes], start not in the past (start >= now; a slot starting exactly now is
 * fine), start at most maxDaysAhead × 24 hours after now (inclusive). Durations are real
 * minutes between the instants. Returns the issues, empty when fine; path is ['start'] or ['end'].
 */
export function checkSlotTimes (start: Date, end: Date, now: Date, limits: SlotLimits): TimeIssue[] {
  return slotProblems(start, end, now, limits).map((p) => p.issue)
}

export interface SeriesInput {
  /** First local date, 'YYYY-MM-DD'. */
  from: string
  /** Last local date, 'YYYY-MM-DD', inclusive. */
  to: string
  /** ISO weekdays, 1 = Monday … 7 = Sunday. Duplicates are harmless. */
  weekdays: number[]
  /** Local wall time of the first slot of each day, 'HH:mm'. */
  startTime: string
  /** Length of each slot, in minutes. */
  slotMinutes: number
  /** Consecutive slots per day, back to back from startTime. */
  count: number
}

export interface SeriesSlot { start: Date, end: Date }

export interface SeriesSkip {
  /**
   * The slot's start as ISO with the zone's offset ('2026-10-25T02:30:00+02:00'), or, for a
   * local time that does not exist, the local wall time 'YYYY-MM-DDTHH:mm'.
   */
  start: string
  reason: SkipReason
}

export interface SeriesExpansion {
  /** Problems with the input as a whole; when not empty, slots and skipped are empty. */
  issues: TimeIssue[]
  /** The slots to publish, in chronological order, never overlapping one another. */
  slots: SeriesSlot[]
  /** The slots of the series left out, in chronological order of their local time. */
  skipped: SeriesSkip[]
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/

/** A local wall time (calendar date and clock time, no zone). */
export interface LocalWallTime { year: number, month: number, day: number, hour: number, minute: number }

function parseLocalDate (value: string): DateTime | null {
  const m = DATE_RE.exec(value)
  if (m === null) return null
  // Calendar arithmetic in UTC: days are always 24 hours there, whatever the CPTS's zone.
  const d = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone: 'utc' })
  return d.isValid ? d : null
}

function wallOf (dt: DateTime): LocalWallTime {
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute }
}

function sameWall (a: LocalWallTime, b: LocalWallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute
}

function offsetAt (ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset
}

/**
 * The instant of a local wall time in the zone: the earliest instant showing that wall time
 * (first occurrence of a fall-back hour), or null when no instant shows it (spring-forward gap).
 * luxon's fromObject silently moves a gap time forward and picks the later offset for an
 * ambiguous time, so the candidates are checked by hand: the instant is the wall time read as
 * UTC minus the zone's offset, and that offset is one of those in force a day around it.
 */
export function wallToInstant (wall: LocalWallTime, zone: string): Date | null {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute)
  const offsets = new Set([
    offsetAt(wallAsUtc - DAY_MS, zone),
    offsetAt(wallAsUtc, zone),
    offsetAt(wallAsUtc + DAY_MS, zone),
    DateTime.fromObject(wall, { zone }).offset
  ])
  let best: number | null = null
  for (const offset of offsets) {
    const candidate = wallAsUtc - offset * MINUTE_MS
    if (sameWall(wallOf(DateTime.fromMillis(candidate, { zone })), wall) && (best === null || candidate < best)) {
      best = candidate
    }
  }
  return best === null ? null : new Date(best)
}

function pad (n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

function wallText (w: LocalWallTime): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`
}

function validateSeries (input: SeriesInput, limits: SlotLimits): { issues: TimeIssue[], from: DateTime | null, to: DateTime | null } {
  const issues: TimeIssue[] = []
  const from = parseLocalDate(input.from)
  const to = parseLocalDate(input.to)
  if (from === null) issues.push(issue('from', 'from must be a date YYYY-MM-DD'))
  if (to === null) issues.push(issue('to', 'to must be a date YYYY-MM-DD'))
  if (from !== null && to !== null) {
    if (to.toMillis() < from.toMillis()) {
      issues.push(issue('to', 'to must not be before from'))
    } else {
      const days = Math.round(to.diff(from, 'days').days) + 1
      if (days > limits.maxDaysAhead + 1) {
        issues.push(issue('to', `a series covers at most ${limits.maxDaysAhead + 1} days`))
      }
    }
  }

  if (!Array.isArray(input.weekdays) || input.weekdays.length === 0) {
    issues.push(issue('weekdays', 'choose at least one weekday'))
  } else {
    input.weekdays.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 1 || d > 7) {
        issues.push(issue('weekdays', 'a weekday is 1 (Monday) to 7 (Sunday)', i))
      }
    })
  }

  if (!TIME_RE.test(input.startTime)) issues.push(issue('startTime', 'startTime must be a local time HH:mm'))

  const slotOk = Number.isInteger(input.slotMinutes) &&
    input.slotMinutes >= limits.minMinutes && input.slotMinutes <= limits.maxMinutes
  if (!slotOk) {
    issues.push(issue('slotMinutes', `slotMinutes must be a whole number from ${limits.minMinutes} to ${limits.maxMinutes}`))
  }
  const countOk = Number.isInteger(input.count) && input.count >= 1 && input.count <= SERIES_MAX_COUNT
  if (!countOk) {
    issues.push(issue('count', `count must be a whole number from 1 to ${SERIES_MAX_COUNT}`))
  }
  // One day's run of slots may cross midnight (evening duty) but never reach the next day's.
  if (slotOk && countOk && input.slotMinutes * input.count > 24 * 60) {
    issues.push(issue('count', 'the slots of one day (count × slotMinutes) must fit in 24 hours'))
  }
  return { issues, from, to }
}

/**
 * Expands a series in the CPTS's IANA zone. For each date from..to (inclusive) whose ISO
 * weekday is listed, the k-th slot (k = 0…count-1) starts at the local wall time
 * startTime + k × slotMinutes (it may run past midnight into the next date) and lasts
 * slotMinutes real minutes. A nonexistent local time is skipped ('nonexistent_local_time');
 * an ambiguous one takes its first occurrence; a slot failing checkSlotTimes is skipped with
 * 'in_the_past' or 'too_far_ahead'; a slot overlapping the previous one published by the
 * series (next to a DST gap only) is skipped with 'overlaps_previous'.
 * Bad input gives issues (paths are the input's field names) and no slots.
 * Throws a RangeError when the zone is unknown (a server-side mistake, not user input).
 */
export function expandSeries (input: SeriesInput, zone: string, now: Date, limits: SlotLimits): SeriesExpansion {
  assertZone(zone)
  const { issues, from, to } = validateSeries(input, limits)
  if (issues.length > 0 || from === null || to === null) return { issues, slots: [], skipped: [] }

  const weekdays = new Set(input.weekdays)
  const time = TIME_RE.exec(input.startTime)
  const startMinutes = Number(time?.[1]) * 60 + Number(time?.[2])
  const slots: SeriesSlot[] = []
  const skipped: SeriesSkip[] = []
  let lastEnd = Number.NEGATIVE_INFINITY

  for (let date = from; date.toMillis() <= to.toMillis(); date = date.plus({ days: 1 })) {
    if (!weekdays.has(date.weekday)) continue
    for (let k = 0; k < input.count; k++) {
      const w = date.plus({ minutes: startMinutes + k * input.slotMinutes })
      const wall = wallOf(w)
      const start = wallToInstant(wall, zone)
      if (start === null) {
        skipped.push({ start: wallText(wall), reason: 'nonexistent_local_time' })
        continue
      }
      const end = new Date(start.getTime() + input.slotMinutes * MINUTE_MS)
      const problem = slotProblems(start, end, now, limits).find((p) => p.reason !== null)
      if (problem?.reason != null) {
        skipped.push({ start: toZonedIso(start, zone), reason: problem.reason })
        continue
      }
      if (start.getTime() < lastEnd) {
        skipped.push({ start: toZonedIso(start, zone), reason: 'overlaps_previous' })
        continue
      }
      slots.push({ start, end })
      lastEnd = end.getTime()
    }
  }
  return { issues: [], slots, skipped }
}
