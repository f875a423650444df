/**
 * /bilan: the season review of the CPTS board (and the coordinator). Aggregates only, never a
 * patient: headline figures, slots per day (Chart.js), weeks, weekday × hour heatmap, tables by
 * practitioner, CPTS and kind, each downloadable as CSV, and a print stylesheet for an A4
 * report. The query lives in the URL (?from=&to=&cptsId=&kind=): a link reproduces the view.
 */
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { Cpts } from '../../shared/schemas/accounts.js'
import type { SlotCalendar } from '../../shared/schemas/board.js'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { BilanDailyChart } from '../components/bilan-chart.js'
import { BilanFigures } from '../components/bilan-figures.js'
import { BilanFilters, queryString, readFilters, readQuery, sameQuery, urlPeriodProblem, type BilanQuery } from '../components/bilan-filters.js'
import { defaultPeriod, presetsOf, seasonOf } from '../components/bilan-periods.js'
import { BilanCalls } from '../components/bilan-calls.js'
import { BilanWaitingList } from '../components/bilan-waiting-list.js'
import { BilanCompare } from '../components/bilan-compare.js'
import { periodLabel } from '../components/bilan-format.js'
import { BilanHeatmap } from '../components/bilan-heatmap.js'
import {
  CPTS_COLUMNS, CsvButton, DAY_COLUMNS, KIND_COLUMNS, practitionerColumns, SectionHead, SortableTable, weekColumns
} from '../components/bilan-tables.js'
import { api, ApiError } from '../lib/api.js'
import { cptsCsv, daysCsv, heatmapCsv, kindsCsv, practitionersCsv, summaryCsv, weeksCsv } from '../lib/csv.js'
import { DEFAULT_ZONE, formatDay, KIND_LONG_FR, todayIn } from '../lib/format.js'
import { plural } from '../lib/french.js'
import { Layout, useMe } from '../lib/ui.js'

const frenchOf = (err: unknown): string => err instanceof ApiError
  ? err.french
  : 'Serveur injoignable. Vérifiez la connexion puis réessayez.'

const fetchReport = (q: BilanQuery): Promise<SeasonReport> => api<SeasonReport>('GET', '/api/reports/season?' + queryString(q))

/** The dates holding slots in a scope (CPTS, kind): the quick periods and the default follow them. */
function fetchCalendar (scope: { cptsId: string | null, kind: BilanQuery['kind'] }): Promise<SlotCalendar> {
  const p = new URLSearchParams()
  if (scope.cptsId !== null) p.set('cptsId', scope.cptsId)
  if (scope.kind !== null) p.set('kind', scope.kind)
  return api<SlotCalendar>('GET', '/api/reports/calendar' + (p.toString() !== '' ? '?' + p.toString() : ''))
}

interface Shown { query: BilanQuery, report: SeasonReport }

function Page () {
  const me = useMe()
  const [cpts, setCpts] = useState<Cpts[] | null>(null)
  const [query, setQuery] = useState<BilanQuery | null>(null)
  const [shown, setShown] = useState<Shown | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [autoNote, setAutoNote] = useState<string | null>(null)
  const [urlProblem, setUrlProblem] = useState<string | null>(null)
  const [calendar, setCalendar] = useState<{ key: string, cal: SlotCalendar } | null>(null)
  const seq = useRef(0)

  const fixedCptsId = me !== null && me.role === 'board' ? me.cptsId : null
  const zone = cpts?.find((c) => c.id === (query?.cptsId ?? fixedCptsId))?.timezone ?? cpts?.[0]?.timezone ?? DEFAULT_ZONE
  const today = todayIn(zone)

  /** The CPTS of a query as this account may ask it: its own for a board account attached to one. */
  function normalize (q: BilanQuery, list: Cpts[]): BilanQuery {
    const cptsId = fixedCptsId ?? (q.cptsId !== null && list.some((c) => c.id === q.cptsId) ? q.cptsId : null)
    return { ...q, cptsId }
  }

  async function loadCpts (): Promise<void> {
    try {
      setCpts(await api<Cpts[]>('GET', '/api/cpts'))
      setError(null)
    } catch (err) {
      setError(frenchOf(err))
    }
  }

  /**
   * The default period: the latest 1 June – 30 September season with slots, from its first to
   * its last day of slots (bilan-periods.ts), read from the slot calendar of the scope; else the
   * latest span of dates with slots.
   */
  async function findDefault (base: { cptsId: string | null, kind: BilanQuery['kind'] }): Promise<void> {
    const n = ++seq.current
    setLoading(true)
    const year = Number(today.slice(0, 4))
    try {
      const cal = await fetchCalendar(base)
      if (n !== seq.current) return
      const found = defaultPeriod(cal, today)
      const q: BilanQuery = { ...(found?.period ?? seasonOf(year - 1)), cptsId: base.cptsId, kind: base.kind }
      const report = await fetchReport(q)
      if (n !== seq.current) return
      history.replaceState(null, '', '?' + queryString(q))
      setQuery(q)
      setShown({ query: q, report })
      setError(null)
      setAutoNote(found === null
        ? 'Aucun créneau n’a encore été publié : voici la dernière saison. Choisissez une autre période ci-dessus.'
        : found.kind === 'season'
          ? 'Période choisie d’office : la dernière saison où des créneaux ont été offerts, de son premier à son dernier jour de créneaux. Changez-la ci-dessus.'
          : 'Période choisie d’office : la dernière période où des créneaux ont été offerts. Changez-la ci-dessus.')
    } catch (err) {
      if (n !== seq.current) return
      setError(frenchOf(err))
      setQuery({ ...seasonOf(year - 1), cptsId: base.cptsId, kind: base.kind })
    } finally {
      if (n === seq.current) setLoading(false)
    }
  }

  async function load (q: BilanQuery): Promise<void> {
    const n = ++seq.current
    setLoading(true)
    try {
      const report = await fetchReport(q)
      if (n !== seq.current) return
      setShown({ query: q, report })
      setError(null)
    } catch (err) {
      if (n === seq.current) setError(frenchOf(err))
    } finally {
      if (n === seq.current) setLoading(false)
    }
  }

  /** The query of the address bar, or the default season. */
  function fromUrl (list: Cpts[]): void {
    const q = readQuery(location.search)
    // A period in the address that cannot be read is said so, not silently replaced.
    setUrlProblem(urlPeriodProblem(location.search))
    if (q === null) {
      void findDefault(normalize({ from: '', to: '', ...readFilters(location.search) }, list))
      return
    }
    const nq = normalize(q, list)
    if (!sameQuery(nq, q)) history.replaceState(null, '', '?' + queryString(nq))
    setAutoNote(null)
    setQuery(nq)
  }

  useEffect(() => { if (me !== null) void loadCpts() }, [me])

  useEffect(() => {
    if (me === null || cpts === null) return
    fromUrl(cpts)
    const onPop = (): void => { fromUrl(cpts) }
    window.addEventListener('popstate', onPop)
    return () => { window.removeEventListener('popstate', onPop) }
  }, [me, cpts])

  useEffect(() => {
    if (query !== null && !sameQuery(query, shown?.query ?? null)) void load(query)
  }, [query])

  // The slot calendar of the query's scope, for the quick periods and the comparisons.
  const scopeKey = query === null ? null : `${query.cptsId ?? ''}|${query.kind ?? ''}`
  useEffect(() => {
    if (query === null || scopeKey === null || calendar?.key === scopeKey) return
    fetchCalendar(query).then((cal) => setCalendar({ key: scopeKey, cal }), () => {})
  }, [scopeKey])
  const cal = calendar !== null && calendar.key === scopeKey ? calendar.cal : null
  const presets = useMemo(() => presetsOf(cal, today), [cal, today])

  function apply (q: BilanQuery): void {
    const nq = cpts === null ? q : normalize(q, cpts)
    if (!sameQuery(nq, query)) history.pushState(null, '', '?' + queryString(nq))
    setAutoNote(null)
    setUrlProblem(null)
    if (sameQuery(nq, query)) void load(nq)
    else setQuery(nq)
  }

  const cptsName = useMemo(() => {
    const names = new Map((cpts ?? []).map((c) => [c.id, c.name]))
    for (const c of shown?.report.byCpts ?? []) if (!names.has(c.cptsId)) names.set(c.cptsId, c.name)
    return (id: string): string => names.get(id) ?? id
  }, [cpts, shown])

  return (
    <Layout me={me} title={PAGES.bilan.title}>
      <div class='bl-page'>
        {error !== null && (
          <p class='banner banner-error' role='alert'>
            {error}{' '}
            <button type='button' class='link' onClick={() => { if (cpts === null) void loadCpts(); else if (query !== null) void load(query) }}>Réessayer</button>
          </p>
        )}
        {me !== null && cpts !== null && query !== null && (
          <BilanFilters query={query} cpts={cpts} fixedCptsId={fixedCptsId} today={today} presets={presets} busy={loading} onApply={apply} />
        )}
        {urlProblem !== null && <p class='banner banner-warn' role='alert' id='bl-url-problem'>{urlProblem}</p>}
        {autoNote !== null && <p class='hint bl-auto'>{autoNote}</p>}
        <p class='sr-only' role='status'>
          {loading ? 'Chargement du bilan…' : shown !== null ? `Bilan affiché ${periodLabel(shown.report.period)} : ${plural(shown.report.totals.offered, 'créneau offert', 'créneaux offerts')}.` : ''}
        </p>
        {shown === null
          ? (error === null && <p aria-busy='true'>Chargement du bilan…</p>)
          : <Report shown={shown} cptsName={cptsName} stale={loading || !sameQuery(shown.query, query)} calendar={cal} />}
      </div>
    </Layout>
  )
}

function Report (props: { shown: Shown, cptsName: (id: string) => string, stale: boolean, calendar: SlotCalendar | null }) {
  const { report, query } = props.shown
  const period = report.period
  const cptsLabel = query.cptsId === null ? 'toutes' : props.cptsName(query.cptsId)
  const kindLabel = query.kind === null ? 'tous (SNP et psy)' : `${query.kind === 'snp' ? 'SNP' : 'Psy'} — ${KIND_LONG_FR[query.kind].toLowerCase()}`
  const empty = report.totals.offered === 0
  return (
    <div class={'bl-report' + (props.stale ? ' is-stale' : '')} aria-busy={props.stale}>
      <div class='bl-head'>
        <p class='bl-scope'>
          <strong>Période : {periodLabel(period)}</strong>
          <span> · CPTS : {cptsLabel}</span>
          <span> · Créneaux : {kindLabel}</span>
          <span class='bl-print-only'> · Édité le {formatDay(todayIn(DEFAULT_ZONE), { year: true })}</span>
        </p>
        <div class='bl-actions'>
          <button type='button' onClick={() => { window.print() }}>Imprimer</button>
          <CsvButton table='synthese' period={period} label='Synthèse (CSV)' build={() => summaryCsv(report, { cpts: cptsLabel, kind: kindLabel })} />
        </div>
      </div>

      {empty
        ? (
          <div class='banner bl-empty'>
            <p><strong>Aucun créneau sur cette période</strong>{query.cptsId !== null || query.kind !== null ? ' avec ces filtres' : ''}.</p>
            {report.totals.unmetDemand > 0 && <p>{plural(report.totals.unmetDemand, 'appel est resté', 'appels sont restés')} sans créneau disponible.</p>}
            <p>Choisissez une autre période (une des périodes rapides ci-dessus) ou d’autres filtres.</p>
          </div>
          )
        : (
          <>
            <BilanFigures report={report} cptsFiltered={query.cptsId !== null} />

            <section aria-labelledby='bl-days-title' class='bl-section bl-days'>
              <SectionHead id='bl-days-title' title='Créneaux par jour'>
                <CsvButton table='jours' period={period} label='Jours (CSV)' build={() => daysCsv(report)} />
              </SectionHead>
              <BilanDailyChart report={report} />
              <details class='bl-details'>
                <summary>Voir les chiffres jour par jour</summary>
                <SortableTable id='bl-table-days' caption='Créneaux offerts et réservés par jour' columns={DAY_COLUMNS}
                  rows={report.byDay} rowKey={(d) => d.date} />
              </details>
            </section>

            <section aria-labelledby='bl-weeks-title' class='bl-section bl-weeks'>
              <SectionHead id='bl-weeks-title' title='Par semaine'>
                <CsvButton table='semaines' period={period} label='Semaines (CSV)' build={() => weeksCsv(report)} />
              </SectionHead>
              <SortableTable id='bl-table-weeks' caption='Créneaux offerts et réservés par semaine' columns={weekColumns(period)}
                rows={report.byWeek} rowKey={(w) => w.week} />
            </section>

            <section aria-labelledby='bl-heatmap-title' class='bl-section bl-heat'>
              <SectionHead id='bl-heatmap-title' title='Jours et heures'>
                <CsvButton table='heures' period={period} label='Jours × heures (CSV)' build={() => heatmapCsv(report)} />
              </SectionHead>
              <BilanHeatmap report={report} />
            </section>

            <section aria-labelledby='bl-pract-title' class='bl-section bl-pract'>
              <SectionHead id='bl-pract-title' title='Par praticien'>
                <CsvButton table='praticiens' period={period} label='Praticiens (CSV)' build={() => practitionersCsv(report, props.cptsName)} />
              </SectionHead>
              {report.byPractitioner.length === 0
                ? <p class='banner'>Aucun praticien n’a publié de créneau sur cette période.</p>
                : <SortableTable id='bl-table-pract' caption='Créneaux, réservations et majoration par praticien' columns={practitionerColumns(props.cptsName, query.cptsId === null)}
                    rows={report.byPractitioner} rowKey={(p) => p.practitionerId} initial={{ id: 'name', dir: 'ascending' }} />}
              <p class='bl-note'>Majoration : {report.majoration.euros} € par consultation SNP honorée, {report.majoration.weeklyCap} par semaine ISO au plus par médecin. Retirés : créneaux retirés alors qu’ils étaient libres (non comptés dans les offerts).</p>
            </section>

            <div class='bl-pair'>
              <section aria-labelledby='bl-cpts-title' class='bl-section bl-cpts'>
                <SectionHead id='bl-cpts-title' title='Par CPTS'>
                  <CsvButton table='cpts' period={period} label='CPTS (CSV)' build={() => cptsCsv(report)} />
                </SectionHead>
                <SortableTable id='bl-table-cpts' caption='Créneaux par CPTS' columns={CPTS_COLUMNS} rows={report.byCpts} rowKey={(c) => c.cptsId} />
              </section>
              <section aria-labelledby='bl-kinds-title' class='bl-section bl-kinds'>
                <SectionHead id='bl-kinds-title' title='Par type de créneau'>
                  <CsvButton table='types' period={period} label='Types (CSV)' build={() => kindsCsv(report)} />
                </SectionHead>
                <SortableTable id='bl-table-kinds' caption='Créneaux par type' columns={KIND_COLUMNS} rows={report.byKind} rowKey={(k) => k.kind} />
              </section>
            </div>
            <BilanCompare query={query} report={report} calendar={props.calendar} />
          </>
          )}
      <BilanCalls query={query} booked={report.totals.booked} />
      <BilanWaitingList query={query} />
    </div>
  )
}

render(<Page />, document.getElementById('app')!)
