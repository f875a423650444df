/**
 * Weekday × hour of the start: booked / offered in each cell, coloured by fill rate in five
 * steps (CSS classes, no inline style: the page runs under style-src 'self'). A real table, so
 * that screen readers announce the day and hour of each cell; each cell also says its figures
 * in words.
 */
import { bookedOfOffered } from '../lib/french.js'
import { ScrollFrame } from './bilan-scroll.js'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { WEEKDAY_LABELS } from '../lib/csv.js'
import { fmtInt, fmtPct, WEEKDAYS_SHORT } from './bilan-format.js'

/** Upper bounds of the colour steps (fill rate); the last step is 80 % and more. */
const STEPS = [0.2, 0.4, 0.6, 0.8] as const
export const HEAT_LEGEND = ['moins de 20 %', '20 à 40 %', '40 à 60 %', '60 à 80 %', '80 % et plus'] as const

export function heatStep (rate: number): number {
  const i = STEPS.findIndex((s) => rate < s)
  return i === -1 ? STEPS.length : i
}

export function BilanHeatmap (props: { report: SeasonReport }) {
  const cells = props.report.heatmap
  if (cells.length === 0) return null
  const byKey = new Map(cells.map((c) => [`${c.weekday}:${c.hour}`, c]))
  const first = Math.min(...cells.map((c) => c.hour))
  const last = Math.max(...cells.map((c) => c.hour))
  const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i)
  return (
    <>
      <ScrollFrame class='table-wrap bl-heatmap-wrap' labelledBy='bl-heatmap-caption'>
        <table class='bl-heatmap'>
          <caption id='bl-heatmap-caption' class='sr-only'>
            Créneaux réservés sur créneaux offerts, par jour de la semaine (lignes) et heure de début (colonnes)
          </caption>
          <thead>
            <tr>
              <td class='bl-hm-corner' />
              {hours.map((h) => <th key={h} scope='col'>{h} h</th>)}
            </tr>
          </thead>
          <tbody>
            {WEEKDAY_LABELS.map((day, i) => (
              <tr key={day}>
                <th scope='row'><abbr title={day} aria-label={day}>{WEEKDAYS_SHORT[i]}</abbr></th>
                {hours.map((h) => {
                  const c = byKey.get(`${i + 1}:${h}`)
                  if (c === undefined || c.offered === 0) {
                    return <td key={h} class='bl-hm bl-hm-none'><span aria-hidden='true'>·</span><span class='sr-only'>aucun créneau</span></td>
                  }
                  const rate = c.booked / c.offered
                  const words = `${bookedOfOffered(c.booked, c.offered)} (${fmtPct(rate)})`
                  return (
                    <td key={h} class={`bl-hm bl-hm-${heatStep(rate)}`} title={`${day} ${h} h : ${words}`}>
                      <span aria-hidden='true'>{fmtInt(c.booked)}/{fmtInt(c.offered)}</span>
                      <span class='sr-only'>{words}</span>
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollFrame>
      <div class='bl-legend' aria-hidden='true'>
        <span class='bl-legend-title'>Remplissage :</span>
        {HEAT_LEGEND.map((label, i) => <span key={label} class='bl-legend-item'><span class={`bl-swatch bl-hm-${i}`} />{label}</span>)}
        <span class='bl-legend-item'><span class='bl-swatch bl-hm-none' />aucun créneau</span>
      </div>
      <p class='bl-note'>Chaque case indique les créneaux réservés / offerts commençant ce jour-là de la semaine à cette heure, sur toute la période.</p>
    </>
  )
}
