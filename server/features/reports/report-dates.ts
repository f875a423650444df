/** Local dates as the season report counts them: a period's dates, ISO weeks and weekdays. */
import { DateTime } from 'luxon'

function day (date: string): DateTime {
  // Calendar arithmetic in UTC: a local date is a label here, every day has 24 hours.
  return DateTime.fromISO(date, { zone: 'utc' })
}

/** Every date from `from` to `to`, inclusive (`YYYY-MM-DD`). */
export function periodDates (from: string, to: string): string[] {
  const out: string[] = []
  const end = day(to).toMillis()
  for (let d = day(from); d.toMillis() <= end; d = d.plus({ days: 1 })) out.push(d.toFormat('yyyy-MM-dd'))
  return out
}

/** ISO week of a date, `2020-W29` (the week-numbering year: 2021-01-03 is in 2020-W53). */
export function isoWeekOf (date: string): string {
  return day(date).toFormat("kkkk-'W'WW")
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekdayOf (date: string): number {
  return day(date).weekday
}
