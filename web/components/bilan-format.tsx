/**
 * Display formats of the season review (/bilan): French numbers, percentages with one decimal,
 * euros, lead times, week labels. Rates arrive unrounded from the API; they are rounded here,
 * for display only.
 */
import { isoWeekDates } from '../lib/csv.js'
import { formatDay } from '../lib/format.js'

const INT = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 })
const DEC1 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const PCT = new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })
const EUR = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' })

/** Placeholder for a rate that cannot be computed (nothing offered, nothing booked). */
export const NO_VALUE = '—'

/** '1 234' */
export const fmtInt = (n: number): string => INT.format(n)

/** '59,3 %', or '—' for a rate with no denominator. */
export const fmtPct = (rate: number | null): string => rate === null ? NO_VALUE : PCT.format(rate)

/** '1 234,00 €' */
export const fmtEuros = (n: number): string => EUR.format(n)

/** A lead time in hours: '45 min', '5 h 30', '3,2 jours'. */
export function fmtHours (hours: number | null): string {
  if (hours === null) return NO_VALUE
  const minutes = Math.round(hours * 60)
  // No-break spaces: '18 h 35' never splits across lines.
  if (minutes < 60) return `${minutes}\u00a0min`
  if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    return m === 0 ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${String(m).padStart(2, '0')}`
  }
  return `${DEC1.format(hours / 24)}\u00a0jours`
}

/** 'du lundi 13 juillet 2020 au jeudi 10 septembre 2020' */
export function periodLabel (period: { from: string, to: string }): string {
  if (period.from === period.to) return `le ${formatDay(period.from, { year: true })}`
  return `du ${formatDay(period.from, { year: true })} au ${formatDay(period.to, { year: true })}`
}

const SHORT_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'short' })
const dayAtNoon = (date: string): Date => new Date(date + 'T12:00:00Z')

/** '13 juil.' for a local date. */
export const shortDay = (date: string): string => SHORT_DAY.format(dayAtNoon(date))

/** '13/07' for a chart's axis. */
export const axisDay = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}`

/** 'S29' and '13 juil. – 19 juil.' for `2020-W29` within the period. */
export function weekLabel (week: string, period: { from: string, to: string }): { short: string, range: string } {
  const d = isoWeekDates(week, period)
  const n = week.slice(week.indexOf('W') + 1)
  return { short: `S${n}`, range: d.from === d.to ? shortDay(d.from) : `${shortDay(d.from)} – ${shortDay(d.to)}` }
}

export const WEEKDAYS_SHORT = ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'] as const
