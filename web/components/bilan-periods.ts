/**
 * Periods of /bilan that follow the data: the quick periods are the spans of dates that hold
 * slots (GET /api/reports/calendar), the default is the latest summer season with slots,
 * narrowed to its first and last days of slots, and a period is compared with the span before
 * it (or the same dates a year earlier). Pure functions: the page fetches, these decide.
 */
import type { SlotCalendar } from '../../shared/schemas/board.js'
import { addDays } from '../lib/format.js'

export interface Period { from: string, to: string }
export interface Preset { label: string, period: Period }

const MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'long' })
const MONTH_SHORT = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'short' })
const month = (date: string, short = false): string => (short ? MONTH_SHORT : MONTH).format(new Date(date + 'T12:00:00Z'))

/** The season of a year: 1 June – 30 September. */
export const seasonOf = (year: number): Period => ({ from: `${year}-06-01`, to: `${year}-09-30` })

/** 'Été 2020', 'décembre 2026', 'nov. – déc. 2026', 'déc. 2026 – janv. 2027'. */
export function spanLabel (p: Period): string {
  const yf = p.from.slice(0, 4)
  const yt = p.to.slice(0, 4)
  if (yf === yt && p.from >= `${yf}-06-01` && p.to <= `${yf}-09-30` && p.from.slice(5, 7) !== p.to.slice(5, 7)) return `Été ${yf}`
  if (p.from.slice(0, 7) === p.to.slice(0, 7)) return `${month(p.from)} ${yf}`
  if (yf === yt) return `${month(p.from, true)} – ${month(p.to, true)} ${yf}`
  return `${month(p.from, true)} ${yf} – ${month(p.to, true)} ${yt}`
}

/** The quick periods: the latest `max` spans with slots (oldest first), then the last twelve months. */
export function presetsOf (calendar: SlotCalendar | null, today: string, max = 3): Preset[] {
  const spans = (calendar?.spans ?? []).filter((s) => s.from <= today).slice(-max)
  const seen = new Set<string>()
  const out: Preset[] = spans.map((s) => {
    let label = spanLabel(s)
    if (seen.has(label)) label = `${label} (${s.from.slice(8, 10)}/${s.from.slice(5, 7)})`
    seen.add(label)
    return { label, period: { from: s.from, to: s.to } }
  })
  out.push({ label: '12 derniers mois', period: { from: addDays(today, -364), to: today } })
  return out
}

/**
 * The default period: the latest 1 June – 30 September season that has begun and holds slots,
 * from its first to its last day of slots; else the latest span with slots; else null.
 */
export function defaultPeriod (calendar: SlotCalendar, today: string): { period: Period, kind: 'season' | 'span' } | null {
  const days = calendar.days.filter((d) => d.offered > 0 && d.date <= today).map((d) => d.date)
  for (let y = Number(today.slice(0, 4)); y >= Number(days[0]?.slice(0, 4) ?? today.slice(0, 4)); y--) {
    const s = seasonOf(y)
    const inside = days.filter((d) => d >= s.from && d <= s.to)
    if (inside.length > 0) return { period: { from: inside[0]!, to: inside[inside.length - 1]! }, kind: 'season' }
  }
  const last = calendar.spans.filter((s) => s.from <= today).at(-1)
  return last === undefined ? null : { period: { from: last.from, to: last.to }, kind: 'span' }
}

/** The same dates a year earlier (29 February becomes the 28th). */
export function yearBefore (p: Period): Period {
  const back = (d: string): string => {
    const y = String(Number(d.slice(0, 4)) - 1)
    return d.slice(5) === '02-29' ? `${y}-02-28` : `${y}${d.slice(4)}`
  }
  return { from: back(p.from), to: back(p.to) }
}

export interface Comparison { id: string, label: string, period: Period }

/** What a period can be compared with: the spans with slots ending before it (newest first), and the year before. */
export function comparisonsOf (calendar: SlotCalendar | null, p: Period): Comparison[] {
  const before = (calendar?.spans ?? []).filter((s) => s.to < p.from).reverse().slice(0, 3)
    .map((s) => ({ id: `${s.from}_${s.to}`, label: spanLabel(s), period: { from: s.from, to: s.to } }))
  const y = yearBefore(p)
  return [...before, { id: 'year', label: 'Mêmes dates un an plus tôt', period: y }]
}
