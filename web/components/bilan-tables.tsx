/**
 * The season review's tables: a sortable table (headers are buttons, aria-sort on the sorted
 * column), the CSV download button, and the tables by practitioner, CPTS, kind, week and day.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { saveFile } from '../lib/download.js'
import { csvFilename, KIND_LABELS, type CsvTable } from '../lib/csv.js'
import { formatDay, KIND_LONG_FR } from '../lib/format.js'
import { plural } from '../lib/french.js'
import { fmtEuros, fmtInt, fmtPct, weekLabel } from './bilan-format.js'
import { ScrollFrame } from './bilan-scroll.js'

type SortValue = string | number | null

export interface Column<T> {
  id: string
  label: string
  /** Right-aligned, and sorted from the largest first on the first click. */
  numeric?: boolean
  /** The row's header cell (th scope=row): the name of what the row is about. */
  rowHeader?: boolean
  sort: (row: T) => SortValue
  cell: (row: T) => ComponentChildren
}

interface Sort { id: string, dir: 'ascending' | 'descending' }

function compare (a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), 'fr', { sensitivity: 'base', numeric: true })
}

/** Rows sorted by one column; rows whose value is missing stay last in both directions. */
export function sortRows<T> (rows: readonly T[], column: Column<T>, dir: Sort['dir']): T[] {
  const sign = dir === 'ascending' ? 1 : -1
  return rows.map((row, i) => ({ row, i, v: column.sort(row) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1
      return sign * compare(a.v, b.v) || a.i - b.i
    })
    .map((x) => x.row)
}

export function SortableTable<T> (props: {
  id: string
  caption: string
  columns: ReadonlyArray<Column<T>>
  rows: readonly T[]
  rowKey: (row: T) => string
  /** The order of `rows` as given, until a header is clicked. */
  initial?: Sort
  sortable?: boolean
}) {
  const [sort, setSort] = useState<Sort | null>(props.initial ?? null)
  const sortable = props.sortable ?? true
  const column = sort === null ? undefined : props.columns.find((c) => c.id === sort.id)
  const rows = column === undefined || sort === null ? props.rows : sortRows(props.rows, column, sort.dir)

  function toggle (c: Column<T>): void {
    setSort((s) => s !== null && s.id === c.id
      ? { id: c.id, dir: s.dir === 'ascending' ? 'descending' : 'ascending' }
      : { id: c.id, dir: c.numeric === true ? 'descending' : 'ascending' })
  }

  const captionId = props.id + '-caption'
  return (
    <ScrollFrame class='table-wrap bl-table-wrap' labelledBy={captionId}>
      <table class='bl-table' id={props.id}>
        <caption id={captionId} class='sr-only'>
          {props.caption}{sortable ? ' — les en-têtes de colonnes sont des boutons de tri' : ''}
        </caption>
        <thead>
          <tr>
            {props.columns.map((c) => {
              const dir = sort !== null && sort.id === c.id ? sort.dir : undefined
              return (
                <th key={c.id} scope='col' class={c.numeric === true ? 'num' : undefined} aria-sort={sortable ? dir ?? 'none' : undefined}>
                  {sortable
                    ? (
                      <button type='button' class='bl-sort' onClick={() => toggle(c)}>
                        {c.label}
                        <span class={'bl-sort-icon' + (dir !== undefined ? ' is-active' : '')} aria-hidden='true'>
                          {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}
                        </span>
                      </button>
                      )
                    : c.label}
                  {/* Printed instead of the button (buttons are not printed; a repeated header would lose it). */}
                  {sortable && <span class='bl-th-print' aria-hidden='true'>{c.label}</span>}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={props.rowKey(r)}>
              {props.columns.map((c) => c.rowHeader === true
                ? <th key={c.id} scope='row'>{c.cell(r)}</th>
                : <td key={c.id} class={c.numeric === true ? 'num' : undefined}>{c.cell(r)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollFrame>
  )
}

/** Saves a CSV text as a file, from memory (a blob URL: nothing is sent to the server). */
export function downloadCsv (filename: string, text: string): void {
  saveFile(filename, new Blob([text], { type: 'text/csv;charset=utf-8' }))
}

export function CsvButton (props: { table: CsvTable, period: { from: string, to: string }, label: string, build: () => string }) {
  const filename = csvFilename(props.table, props.period)
  return (
    <button type='button' class='bl-csv' onClick={() => { downloadCsv(filename, props.build()) }}>
      <span aria-hidden='true'>⤓ </span>{props.label}<span class='sr-only'> : fichier {filename}</span>
    </button>
  )
}

/** A section's heading with its download button on the right. */
export function SectionHead (props: { id: string, title: string, children?: ComponentChildren }) {
  return (
    <div class='bl-section-head'>
      <h2 id={props.id}>{props.title}</h2>
      {props.children !== undefined && <div class='bl-section-actions'>{props.children}</div>}
    </div>
  )
}

const rateCell = (rate: number | null): ComponentChildren =>
  rate === null ? <><span aria-hidden='true'>—</span><span class='sr-only'>non calculable</span></> : fmtPct(rate)

type Practitioner = SeasonReport['byPractitioner'][number]

export function practitionerColumns (cptsName: (id: string) => string, withCpts: boolean): Array<Column<Practitioner>> {
  const all: Array<Column<Practitioner> | false> = [
    { id: 'name', label: 'Nom', rowHeader: true, sort: (p) => p.name, cell: (p) => p.name },
    { id: 'rpps', label: 'RPPS', sort: (p) => p.rpps, cell: (p) => <span class='nowrap'>{p.rpps}</span> },
    withCpts && { id: 'cpts', label: 'CPTS', sort: (p) => cptsName(p.cptsId), cell: (p) => <span class='bl-cpts-name'>{cptsName(p.cptsId)}</span> },
    { id: 'offered', label: 'Offerts', numeric: true, sort: (p) => p.offered, cell: (p) => fmtInt(p.offered) },
    { id: 'booked', label: 'Réservés', numeric: true, sort: (p) => p.booked, cell: (p) => fmtInt(p.booked) },
    { id: 'fillRate', label: 'Remplissage', numeric: true, sort: (p) => p.fillRate, cell: (p) => rateCell(p.fillRate) },
    { id: 'honored', label: 'Honorés', numeric: true, sort: (p) => p.honored, cell: (p) => fmtInt(p.honored) },
    { id: 'noShow', label: 'Lapins', numeric: true, sort: (p) => p.noShow, cell: (p) => fmtInt(p.noShow) },
    { id: 'majoration', label: 'Majoration', numeric: true, sort: (p) => p.majorationEuros, cell: (p) => <span class='nowrap'>{fmtEuros(p.majorationEuros)}</span> },
    { id: 'withdrawn', label: 'Retirés', numeric: true, sort: (p) => p.withdrawn, cell: (p) => fmtInt(p.withdrawn) }
  ]
  return all.filter((c): c is Column<Practitioner> => c !== false)
}

type CptsRow = SeasonReport['byCpts'][number]
export const CPTS_COLUMNS: Array<Column<CptsRow>> = [
  { id: 'name', label: 'CPTS', rowHeader: true, sort: (c) => c.name, cell: (c) => c.name },
  { id: 'offered', label: 'Offerts', numeric: true, sort: (c) => c.offered, cell: (c) => fmtInt(c.offered) },
  { id: 'booked', label: 'Réservés', numeric: true, sort: (c) => c.booked, cell: (c) => fmtInt(c.booked) },
  { id: 'fillRate', label: 'Remplissage', numeric: true, sort: (c) => c.fillRate, cell: (c) => rateCell(c.fillRate) }
]

/**
 * Under the CPTS table, when its lines add up to more than the slots offered: a slot offered to
 * several CPTS counts in each one's line, once in the totals (README, "Season report").
 */
export function CptsSharedNote (props: { report: SeasonReport }) {
  const lines = props.report.byCpts.reduce((n, c) => n + c.offered, 0)
  const offered = props.report.totals.offered
  if (lines <= offered) return null
  return (
    <p class='bl-note'>
      Un créneau proposé à plusieurs CPTS compte dans la ligne de chacune : les lignes totalisent {plural(lines, 'créneau offert', 'créneaux offerts')},
      pour {plural(offered, 'créneau offert', 'créneaux offerts')} sur le territoire.
    </p>
  )
}

type KindRow = SeasonReport['byKind'][number]
export const KIND_COLUMNS: Array<Column<KindRow>> = [
  { id: 'kind', label: 'Type', rowHeader: true, sort: (k) => KIND_LABELS[k.kind], cell: (k) => <abbr title={KIND_LONG_FR[k.kind]}>{KIND_LABELS[k.kind]}</abbr> },
  { id: 'offered', label: 'Offerts', numeric: true, sort: (k) => k.offered, cell: (k) => fmtInt(k.offered) },
  { id: 'booked', label: 'Réservés', numeric: true, sort: (k) => k.booked, cell: (k) => fmtInt(k.booked) },
  { id: 'fillRate', label: 'Remplissage', numeric: true, sort: (k) => k.fillRate, cell: (k) => rateCell(k.fillRate) }
]

/** A fill-rate bar drawn with a width set through the CSSOM (Preact's style object), which CSP allows. */
function RateBar (props: { rate: number | null }) {
  if (props.rate === null) return null
  return <span class='bl-bar' aria-hidden='true'><span class='bl-bar-fill' style={{ width: `${Math.min(100, props.rate * 100)}%` }} /></span>
}

type WeekRow = SeasonReport['byWeek'][number]
export function weekColumns (period: { from: string, to: string }): Array<Column<WeekRow>> {
  return [
    {
      id: 'week',
      label: 'Semaine',
      rowHeader: true,
      sort: (w) => w.week,
      cell: (w) => { const l = weekLabel(w.week, period); return <><span class='bl-week'>{l.short}</span> <span class='bl-muted bl-week-range'>{l.range}</span></> }
    },
    { id: 'offered', label: 'Offerts', numeric: true, sort: (w) => w.offered, cell: (w) => fmtInt(w.offered) },
    { id: 'booked', label: 'Réservés', numeric: true, sort: (w) => w.booked, cell: (w) => fmtInt(w.booked) },
    { id: 'fillRate', label: 'Remplissage', numeric: true, sort: (w) => w.fillRate, cell: (w) => <span class='bl-rate'>{rateCell(w.fillRate)}<RateBar rate={w.fillRate} /></span> }
  ]
}

type DayRow = SeasonReport['byDay'][number]
export const DAY_COLUMNS: Array<Column<DayRow>> = [
  { id: 'date', label: 'Jour', rowHeader: true, sort: (d) => d.date, cell: (d) => formatDay(d.date, { year: true }) },
  { id: 'offered', label: 'Offerts', numeric: true, sort: (d) => d.offered, cell: (d) => fmtInt(d.offered) },
  { id: 'booked', label: 'Réservés', numeric: true, sort: (d) => d.booked, cell: (d) => fmtInt(d.booked) },
  { id: 'fillRate', label: 'Remplissage', numeric: true, sort: (d) => d.fillRate, cell: (d) => rateCell(d.fillRate) }
]
