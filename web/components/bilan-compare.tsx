/**
 * A period compared with another on /bilan: by default the span of slots before it (the
 * previous season the data holds), else the same dates a year earlier; the headline figures
 * side by side with their difference.
 */
import { useState } from 'preact/hooks'
import type { SlotCalendar } from '../../shared/schemas/board.js'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { useReport } from '../lib/use-report.js'
import { queryString, type BilanQuery } from './bilan-filters.js'
import { fmtEuros, fmtInt, fmtPct, NO_VALUE, periodLabel } from './bilan-format.js'
import { comparisonsOf } from './bilan-periods.js'
import { SectionHead } from './bilan-tables.js'
import { ScrollFrame } from './bilan-scroll.js'

type Totals = SeasonReport['totals']

interface Row { label: string, value: (t: Totals) => number | null, kind: 'int' | 'rate' | 'euros' }
const ROWS: Row[] = [
  { label: 'Créneaux offerts', value: (t) => t.offered, kind: 'int' },
  { label: 'Créneaux réservés', value: (t) => t.booked, kind: 'int' },
  { label: 'Taux de remplissage', value: (t) => t.fillRate, kind: 'rate' },
  { label: 'Consultations honorées', value: (t) => t.honoredRate, kind: 'rate' },
  { label: 'Patients sans médecin traitant', value: (t) => t.withoutTreatingGpShare, kind: 'rate' },
  { label: 'Appels sans créneau', value: (t) => t.unmetDemand, kind: 'int' },
  { label: 'Majoration', value: (t) => t.majorationEuros, kind: 'euros' }
]

const show = (v: number | null, kind: Row['kind']): string =>
  v === null ? NO_VALUE : kind === 'rate' ? fmtPct(v) : kind === 'euros' ? fmtEuros(v) : fmtInt(v)

const DEC1 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' })
const SIGNED = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0, signDisplay: 'exceptZero' })
const SIGNED_EUR = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', signDisplay: 'exceptZero' })

/** '+12', '−3,5 pts', '+150,00 €' ('—' when either side is missing). */
function difference (a: number | null, b: number | null, kind: Row['kind']): string {
  if (a === null || b === null) return NO_VALUE
  if (kind === 'rate') return `${DEC1.format((a - b) * 100)}\u00a0pts`
  return kind === 'euros' ? SIGNED_EUR.format(a - b) : SIGNED.format(a - b)
}

export function BilanCompare (props: { query: BilanQuery, report: SeasonReport, calendar: SlotCalendar | null }) {
  const options = comparisonsOf(props.calendar, props.query)
  const [chosen, setChosen] = useState<string | null>(null)
  const option = options.find((o) => o.id === chosen) ?? options[0]!
  const q: BilanQuery = { ...props.query, ...option.period }
  const key = queryString(q)
  const current = useReport<SeasonReport>('/api/reports/season?' + key)
  const other = current?.report
  const t = props.report.totals
  return (
    <section aria-labelledby='bl-compare-title' class='bl-section bl-compare'>
      <SectionHead id='bl-compare-title' title='Comparaison avec une saison précédente' />
      <div class='field bl-compare-pick'>
        <label for='bl-compare-with'>Comparer avec</label>
        <select id='bl-compare-with' value={option.id} onChange={(e) => setChosen(e.currentTarget.value)}>
          {options.map((o) => <option key={o.id} value={o.id}>{o.label} ({periodLabel(o.period)})</option>)}
        </select>
      </div>
      {current?.error !== undefined && <p class='banner banner-error' role='alert'>{current.error}</p>}
      {other === undefined
        ? current?.error === undefined && <p aria-busy='true'>Chargement de la comparaison…</p>
        : (
          <>
            {other.totals.offered === 0 && <p class='banner'>Aucun créneau offert {periodLabel(other.period)} : rien à comparer pour les créneaux.</p>}
            <ScrollFrame class='table-wrap bl-table-wrap' labelledBy='bl-compare-caption'>
              <table class='bl-table' id='bl-table-compare'>
                <caption id='bl-compare-caption' class='sr-only'>Chiffres de la période et de la période de comparaison, avec l’écart</caption>
                <thead>
                  <tr>
                    <th scope='col'>Indicateur</th>
                    <th scope='col' class='num'>Cette période</th>
                    <th scope='col' class='num'>{option.label}</th>
                    <th scope='col' class='num'>Écart</th>
                  </tr>
                </thead>
                <tbody>
                  {ROWS.map((row) => (
                    <tr key={row.label}>
                      <th scope='row'>{row.label}</th>
                      <td class='num'>{show(row.value(t), row.kind)}</td>
                      <td class='num'>{show(row.value(other.totals), row.kind)}</td>
                      <td class='num'>{difference(row.value(t), row.value(other.totals), row.kind)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollFrame>
          </>
          )}
    </section>
  )
}
