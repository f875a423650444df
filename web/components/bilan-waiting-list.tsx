/**
 * The waiting list of the period on /bilan (GET /api/reports/waiting-list, issue 25): requests
 * made by calls that found no slot, how many were booked from the list, expired or withdrawn;
 * the wait from the call to the booking; the unmet demand before and after the list; by commune,
 * kind, week and hour, each with its CSV. Aggregates only: no patient field.
 */
import type { WaitingListReport } from '../../shared/schemas/waiting-list.js'
import { waitingListCsv } from '../lib/csv.js'
import { KIND_LONG_FR } from '../lib/format.js'
import { plural } from '../lib/french.js'
import { useReport } from '../lib/use-report.js'
import { queryString, type BilanQuery } from './bilan-filters.js'
import { fmtHours, fmtInt, fmtPct } from './bilan-format.js'
import { CsvButton, SectionHead, SortableTable, type Column } from './bilan-tables.js'

type Tally = WaitingListReport['totals']
const share = (n: number, of: number): number | null => of === 0 ? null : n / of

/** The columns every breakdown shares, after its own first ones. */
function tallyColumns<R extends Tally> (): Array<Column<R>> {
  return [
    { id: 'made', label: 'Demandes', numeric: true, sort: (r) => r.made, cell: (r) => fmtInt(r.made) },
    { id: 'recovered', label: 'Réservées depuis la liste', numeric: true, sort: (r) => r.recovered, cell: (r) => fmtInt(r.recovered) },
    { id: 'expired', label: 'Expirées', numeric: true, sort: (r) => r.expired, cell: (r) => fmtInt(r.expired) },
    { id: 'withdrawn', label: 'Retirées', numeric: true, sort: (r) => r.withdrawn, cell: (r) => fmtInt(r.withdrawn) },
    { id: 'open', label: 'En attente', numeric: true, sort: (r) => r.open, cell: (r) => fmtInt(r.open) },
    { id: 'share', label: 'Part réservée', numeric: true, sort: (r) => share(r.recovered, r.made), cell: (r) => fmtPct(share(r.recovered, r.made)) }
  ]
}

type CommuneRow = WaitingListReport['byCommune'][number]
type KindRow = WaitingListReport['byKind'][number]
type WeekRow = WaitingListReport['byWeek'][number]
type HourRow = WaitingListReport['byHour'][number]

const COMMUNE_COLUMNS: Array<Column<CommuneRow>> = [
  { id: 'name', label: 'Commune du patient', rowHeader: true, sort: (c) => c.name ?? c.communeCode, cell: (c) => c.name ?? c.communeCode },
  { id: 'dep', label: 'Dép.', sort: (c) => c.departement ?? '', cell: (c) => c.departement ?? '—' },
  ...tallyColumns<CommuneRow>()
]
const KIND_COLUMNS: Array<Column<KindRow>> = [
  { id: 'kind', label: 'Type', rowHeader: true, sort: (k) => k.kind, cell: (k) => KIND_LONG_FR[k.kind] }, ...tallyColumns<KindRow>()
]
const WEEK_COLUMNS: Array<Column<WeekRow>> = [
  { id: 'week', label: 'Semaine', rowHeader: true, sort: (w) => w.week, cell: (w) => w.week.replace('-W', ', semaine ') }, ...tallyColumns<WeekRow>()
]
const HOUR_COLUMNS: Array<Column<HourRow>> = [
  { id: 'hour', label: 'Heure de l’appel', rowHeader: true, sort: (h) => h.hour, cell: (h) => `${String(h.hour).padStart(2, '0')}\u00a0h` }, ...tallyColumns<HourRow>()
]

export function BilanWaitingList (props: { query: BilanQuery }) {
  const key = queryString(props.query)
  const current = useReport<WaitingListReport>('/api/reports/waiting-list?' + key)
  const r = current?.report
  const minutes = (m: number | null): string => fmtHours(m === null ? null : m / 60)
  return (
    <section aria-labelledby='bl-waiting-title' class='bl-section bl-waiting'>
      <SectionHead id='bl-waiting-title' title='Liste d’attente' />
      {current === null && <p aria-busy='true'>Chargement de la liste d’attente…</p>}
      {current?.error !== undefined && <p class='banner banner-error' role='alert'>{current.error}</p>}
      {r !== undefined && (r.totals.made === 0
        ? <p class='banner'>Aucune demande sur liste d’attente sur cette période.</p>
        : (
          <>
            <p>
              {plural(r.totals.made, 'demande mise', 'demandes mises')} sur liste d’attente, dont <strong>{plural(r.totals.recovered, 'réservée', 'réservées')} depuis la liste</strong> ({fmtPct(share(r.totals.recovered, r.totals.made))}),
              {' '}{plural(r.totals.expired, 'expirée', 'expirées')}, {plural(r.totals.withdrawn, 'retirée', 'retirées')} et {fmtInt(r.totals.open)} encore en attente.
            </p>
            <p>
              Demande non satisfaite : <strong>{fmtInt(r.unmetDemand.before)}</strong> appels sans créneau avant la liste d’attente,
              {' '}<strong>{fmtInt(r.unmetDemand.after)}</strong> après. Délai entre l’appel et la réservation : médiane {minutes(r.wait.median)}, 90ᵉ centile {minutes(r.wait.p90)}.
            </p>
            <h3>Par commune du patient</h3>
            <SortableTable id='bl-table-waiting-communes' caption='Liste d’attente par commune du patient' columns={COMMUNE_COLUMNS} rows={r.byCommune} rowKey={(c) => c.communeCode} />
            <div class='bl-section-actions'><CsvButton table='attenteCommunes' period={r.period} label='Attente par commune (CSV)' build={() => waitingListCsv(r, 'commune')} /></div>
            <h3>Par type de demande</h3>
            <SortableTable id='bl-table-waiting-kinds' caption='Liste d’attente par type de demande' columns={KIND_COLUMNS} rows={r.byKind} rowKey={(k) => k.kind} />
            <div class='bl-section-actions'><CsvButton table='attenteTypes' period={r.period} label='Attente par type (CSV)' build={() => waitingListCsv(r, 'kind')} /></div>
            <h3>Par semaine</h3>
            <SortableTable id='bl-table-waiting-weeks' caption='Liste d’attente par semaine' columns={WEEK_COLUMNS} rows={r.byWeek} rowKey={(w) => w.week} />
            <div class='bl-section-actions'><CsvButton table='attenteSemaines' period={r.period} label='Attente par semaine (CSV)' build={() => waitingListCsv(r, 'week')} /></div>
            <h3>Par heure de l’appel</h3>
            <SortableTable id='bl-table-waiting-hours' caption='Liste d’attente par heure de l’appel' columns={HOUR_COLUMNS} rows={r.byHour.filter((h) => h.made > 0)} rowKey={(h) => String(h.hour)} />
            <div class='bl-section-actions'><CsvButton table='attenteHeures' period={r.period} label='Attente par heure (CSV)' build={() => waitingListCsv(r, 'hour')} /></div>
          </>
          ))}
    </section>
  )
}
