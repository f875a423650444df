/**
 * The calls of the period on /bilan (GET /api/reports/calls): how calls ended, and the calls
 * that found no slot by the patient's commune, by day and by hour — where and when slots were
 * missing. Aggregates only.
 */
import type { CallsReport } from '../../shared/schemas/board.js'
import type { CallOutcome } from '../../shared/schemas/slots.js'
import { callCommunesCsv, callDaysCsv, callHoursCsv, callOutcomesCsv } from '../lib/csv.js'
import { CALL_OUTCOME_FR, formatDay } from '../lib/format.js'
import { plural } from '../lib/french.js'
import { useReport } from '../lib/use-report.js'
import { queryString, type BilanQuery } from './bilan-filters.js'
import { fmtInt, fmtPct } from './bilan-format.js'
import { CsvButton, SectionHead, SortableTable, type Column } from './bilan-tables.js'

const OUTCOMES = Object.keys(CALL_OUTCOME_FR) as CallOutcome[]

type CommuneRow = CallsReport['byCommune'][number]
type DayRow = CallsReport['byDay'][number]
type HourRow = CallsReport['byHour'][number]

const share = (n: number, of: number): number | null => of === 0 ? null : n / of

const COMMUNE_COLUMNS: Array<Column<CommuneRow>> = [
  { id: 'name', label: 'Commune du patient', rowHeader: true, sort: (c) => c.name ?? '\uffff', cell: (c) => c.name ?? <span class='bl-muted'>non renseignée</span> },
  { id: 'dep', label: 'Dép.', sort: (c) => c.departement ?? '', cell: (c) => c.departement ?? '—' },
  { id: 'noSlot', label: 'Sans créneau', numeric: true, sort: (c) => c.noSlot, cell: (c) => fmtInt(c.noSlot) },
  { id: 'calls', label: 'Appels', numeric: true, sort: (c) => c.calls, cell: (c) => fmtInt(c.calls) },
  { id: 'share', label: 'Part sans créneau', numeric: true, sort: (c) => share(c.noSlot, c.calls), cell: (c) => fmtPct(share(c.noSlot, c.calls)) }
]

const DAY_CALL_COLUMNS: Array<Column<DayRow>> = [
  { id: 'date', label: 'Jour', rowHeader: true, sort: (d) => d.date, cell: (d) => formatDay(d.date, { year: true }) },
  { id: 'noSlot', label: 'Sans créneau', numeric: true, sort: (d) => d.noSlot, cell: (d) => fmtInt(d.noSlot) },
  { id: 'calls', label: 'Appels', numeric: true, sort: (d) => d.calls, cell: (d) => fmtInt(d.calls) },
  { id: 'booked', label: 'Réservés au cours de l’appel', numeric: true, sort: (d) => d.byOutcome.booked, cell: (d) => fmtInt(d.byOutcome.booked) }
]

const HOUR_COLUMNS: Array<Column<HourRow>> = [
  { id: 'hour', label: 'Heure', rowHeader: true, sort: (h) => h.hour, cell: (h) => `${String(h.hour).padStart(2, '0')}\u00a0h` },
  { id: 'noSlot', label: 'Sans créneau', numeric: true, sort: (h) => h.noSlot, cell: (h) => fmtInt(h.noSlot) },
  { id: 'calls', label: 'Appels', numeric: true, sort: (h) => h.calls, cell: (h) => fmtInt(h.calls) },
  { id: 'share', label: 'Part sans créneau', numeric: true, sort: (h) => share(h.noSlot, h.calls), cell: (h) => fmtPct(share(h.noSlot, h.calls)) }
]

/**
 * `booked`: the season report's booked slots for the same query. The calls tables count the calls
 * the regulators logged on /regulation; bookings that came another way (a season import, the
 * API) have no call, so the two figures are shown side by side and said apart.
 */
export function BilanCalls (props: { query: BilanQuery, booked: number }) {
  const key = queryString(props.query)
  const current = useReport<CallsReport>('/api/reports/calls?' + key)
  const r = current?.report
  return (
    <section aria-labelledby='bl-calls-title' class='bl-section bl-calls'>
      <SectionHead id='bl-calls-title' title='Appels et demande non satisfaite' />
      {current === null && <p aria-busy='true'>Chargement des appels…</p>}
      {current?.error !== undefined && <p class='banner banner-error' role='alert'>{current.error}</p>}
      {r !== undefined && (r.totals.calls === 0
        ? <p class='banner'>Aucun appel enregistré par la régulation sur cette période.</p>
        : (
          <>
            <p>{plural(r.totals.calls, 'appel enregistré', 'appels enregistrés')} par la régulation, dont <strong>{plural(r.totals.byOutcome.no_slot, 'appel', 'appels')} sans créneau disponible</strong> ({fmtPct(share(r.totals.byOutcome.no_slot, r.totals.calls))}).</p>
            <h3 id='bl-outcomes-title'>Issue des appels</h3>
            <p id='bl-outcomes-note' class='bl-calls-note'>
              Ce tableau compte les appels enregistrés sur la page de régulation. Sur la même période, {plural(props.booked, 'créneau a été réservé', 'créneaux ont été réservés')}, dont {fmtInt(r.totals.byOutcome.booked)} au cours d’un appel enregistré{props.booked > r.totals.byOutcome.booked ? ' ; les autres réservations (import de saison, logiciel de régulation par l’API) n’ont pas d’appel enregistré ici.' : '.'}
            </p>
            <SortableTable id='bl-table-outcomes' caption='Appels enregistrés par issue' sortable={false}
              columns={[
                { id: 'outcome', label: 'Issue', rowHeader: true, sort: (o: CallOutcome) => o, cell: (o: CallOutcome) => CALL_OUTCOME_FR[o] },
                { id: 'calls', label: 'Appels', numeric: true, sort: (o: CallOutcome) => r.totals.byOutcome[o], cell: (o: CallOutcome) => fmtInt(r.totals.byOutcome[o]) },
                { id: 'share', label: 'Part', numeric: true, sort: (o: CallOutcome) => share(r.totals.byOutcome[o], r.totals.calls), cell: (o: CallOutcome) => fmtPct(share(r.totals.byOutcome[o], r.totals.calls)) }
              ]}
              rows={OUTCOMES} rowKey={(o) => o} />
            <div class='bl-section-actions'><CsvButton table='appelsIssues' period={r.period} label='Issues des appels (CSV)' build={() => callOutcomesCsv(r)} /></div>
            <h3>Sans créneau, par commune du patient</h3>
            <SortableTable id='bl-table-calls-communes' caption='Appels sans créneau par commune du patient' columns={COMMUNE_COLUMNS}
              rows={r.byCommune} rowKey={(c) => c.communeCode ?? 'none'} />
            <div class='bl-section-actions'><CsvButton table='appelsCommunes' period={r.period} label='Communes (CSV)' build={() => callCommunesCsv(r)} /></div>
            <h3>Sans créneau, par heure de l’appel</h3>
            <SortableTable id='bl-table-calls-hours' caption='Appels sans créneau par heure' columns={HOUR_COLUMNS}
              rows={r.byHour.filter((h) => h.calls > 0)} rowKey={(h) => String(h.hour)} />
            <div class='bl-section-actions'><CsvButton table='appelsHeures' period={r.period} label='Heures (CSV)' build={() => callHoursCsv(r)} /></div>
            <details class='bl-details'>
              <summary>Voir les appels jour par jour</summary>
              <SortableTable id='bl-table-calls-days' caption='Appels et appels sans créneau par jour' columns={DAY_CALL_COLUMNS}
                rows={r.byDay.filter((d) => d.calls > 0)} rowKey={(d) => d.date} />
              <div class='bl-section-actions'><CsvButton table='appelsJours' period={r.period} label='Appels par jour (CSV)' build={() => callDaysCsv(r)} /></div>
            </details>
          </>
          ))}
    </section>
  )
}
