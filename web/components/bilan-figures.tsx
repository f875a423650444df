/** The headline figures of the season review: one card per indicator, French formats. */
import type { ComponentChildren } from 'preact'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { fmtEuros, fmtHours, fmtInt, fmtPct } from './bilan-format.js'

function Figure (props: { label: string, value: string, note?: ComponentChildren, tone?: 'main' | 'warn' }) {
  return (
    <div class={'bl-fig' + (props.tone !== undefined ? ` bl-fig-${props.tone}` : '')}>
      <dt>{props.label}</dt>
      <dd class='bl-fig-value'>{props.value}</dd>
      {props.note !== undefined && <dd class='bl-fig-note'>{props.note}</dd>}
    </div>
  )
}

const plural = (n: number, one: string, many: string): string => `${fmtInt(n)}\u00a0${n > 1 ? many : one}`

export function BilanFigures (props: { report: SeasonReport, cptsFiltered: boolean }) {
  const { report } = props
  const t = report.totals
  const lead = report.leadTime
  const awaiting = t.booked - t.honored - t.noShow
  const { euros, weeklyCap } = report.majoration
  return (
    <section aria-labelledby='bl-figures-title' class='bl-section bl-figures-section'>
      <h2 id='bl-figures-title'>Chiffres clés</h2>
      <dl class='bl-figures'>
        <Figure label='Créneaux offerts' value={fmtInt(t.offered)} note='hors créneaux retirés avant réservation' />
        <Figure label='Créneaux réservés' value={fmtInt(t.booked)} note={`sur ${plural(t.offered, 'créneau offert', 'créneaux offerts')}`} />
        <Figure label='Taux de remplissage' value={fmtPct(t.fillRate)} tone='main' note='réservés ÷ offerts' />
        <Figure label='Consultations honorées' value={fmtInt(t.honored)}
          note={t.honoredRate === null
            ? `aucun résultat saisi${awaiting > 0 ? ` (${plural(awaiting, 'réservation', 'réservations')})` : ''}`
            : <>{fmtPct(t.honoredRate)} des consultations passées{awaiting > 0 && <>, {plural(awaiting, 'réservation', 'réservations')} sans résultat saisi</>}</>} />
        <Figure label='Non honorées (lapins)' value={fmtInt(t.noShow)} tone={t.noShowRate !== null && t.noShowRate >= 0.1 ? 'warn' : undefined}
          note={`taux de lapins : ${fmtPct(t.noShowRate)}`} />
        <Figure label='Patients sans médecin traitant' value={fmtPct(t.withoutTreatingGpShare)} note='part des réservations' />
        <Figure label='Demande non satisfaite' value={plural(t.unmetDemand, 'appel', 'appels')}
          note={<>
            sans créneau disponible
            {report.unmetDemandWithoutCpts > 0 && (props.cptsFiltered
              ? <> ; {plural(report.unmetDemandWithoutCpts, 'autre appel', 'autres appels')} sans CPTS rattachée, non comptés ici</>
              : <>, dont {fmtInt(report.unmetDemandWithoutCpts)} sans CPTS rattachée</>)}
          </>} />
        <Figure label='Majoration totale' value={fmtEuros(t.majorationEuros)}
          note={`${fmtEuros(euros)} par consultation SNP honorée, ${weeklyCap} par semaine au plus par médecin`} />
        <Figure label='Délai avant consultation' value={fmtHours(lead.medianHours)}
          note={lead.count === 0 ? 'aucune réservation' : `médiane de la réservation à la consultation ; 90e percentile : ${fmtHours(lead.p90Hours)} (${plural(lead.count, 'réservation', 'réservations')})`} />
        <Figure label='Créneaux retirés' value={fmtInt(t.withdrawn)} note='retirés par le praticien alors qu’ils étaient libres' />
        <Figure label='Réservations abandonnées' value={fmtInt(report.expiredHolds)} note='créneaux mis en attente par un régulateur puis relâchés sans réservation' />
      </dl>
    </section>
  )
}
