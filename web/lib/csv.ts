/**
 * CSV files of the season report (/bilan), built from the API's JSON with no DOM and no I/O so
 * that tests can parse them back and compare with the report.
 *
 * Format, chosen for Excel and LibreOffice in a French locale:
 * - UTF-8 with a byte-order mark (U+FEFF) first, so Excel reads the accents right;
 * - `;` between fields and CRLF after every line, the header line included (RFC 4180 line ends);
 * - a field is wrapped in double quotes when it holds `;`, `"`, CR, LF or starts or ends with a
 *   space, a quote inside being doubled (`"` → `""`);
 * - numbers in French: decimal comma, no thousands separator (so the spreadsheet sees numbers,
 *   not text): `1234`, `59,3`; rates are percentages with one decimal, always (`59,3` for
 *   0.59325…, `100,0`, `0,0`), in columns whose header ends with `(%)`; euros have at most two decimals, in a
 *   column whose header ends with `(€)`; an undefined rate (nothing offered) is an empty field;
 * - dates as `YYYY-MM-DD` (the API's form; every spreadsheet reads it as a date);
 * - a text field starting with `=`, `+`, `-`, `@`, a tab or CR gets a leading `'`, so that a name
 *   typed by someone cannot run as a spreadsheet formula (CSV injection); numbers are never
 *   prefixed.
 * Columns come in a fixed order with French headers: see the `*_HEADERS` constants.
 *
 * A writer of our own rather than a library (papaparse's unparse, csv-stringify): quoting is a
 * dozen lines, while the French number format, the BOM and the formula guard would have to be
 * added around any library anyway; nothing more goes into the page's bundle.
 */
import type { CallsReport } from '../../shared/schemas/board.js'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import type { WaitingListReport } from '../../shared/schemas/waiting-list.js'
import { CALL_OUTCOMES } from '../../shared/schemas/slots.js'
import { CALL_OUTCOME_FR } from './format.js'
import type { SlotKind } from '../../shared/schemas/slots.js'
import { frenchNumber, type CsvCell, toCsv } from '../../shared/csv.js'

export { CSV_BOM, CSV_EOL, CSV_SEPARATOR, csvField, frenchNumber, toCsv, type CsvCell } from '../../shared/csv.js'

/**
 * A ratio as a percentage with always one decimal, `59,3`, `100,0`, `0,0` (one column reads
 * alike from top to bottom); empty when the ratio is undefined.
 */
export function percentCell (rate: number | null): string {
  if (rate === null) return ''
  return (Math.round(rate * 1000) / 10).toFixed(1).replace('.', ',')
}

// ---------------------------------------------------------------------------------------------
// The season report's tables.

/** The tables a user can download, with the word used in their file name. */
export const CSV_TABLES = {
  synthese: 'synthese',
  praticiens: 'praticiens',
  cpts: 'cpts',
  types: 'types',
  semaines: 'semaines',
  jours: 'jours',
  heures: 'jours-heures',
  appelsIssues: 'appels-issues',
  appelsCommunes: 'appels-sans-creneau-communes',
  appelsHeures: 'appels-sans-creneau-heures',
  appelsJours: 'appels-jours',
  attenteCommunes: 'liste-attente-communes',
  attenteTypes: 'liste-attente-types',
  attenteSemaines: 'liste-attente-semaines',
  attenteHeures: 'liste-attente-heures'
} as const
export type CsvTable = keyof typeof CSV_TABLES

/** `bilan-praticiens-2020-07-13_2020-09-10.csv` */
export function csvFilename (table: CsvTable, period: { from: string, to: string }): string {
  return `bilan-${CSV_TABLES[table]}-${period.from}_${period.to}.csv`
}

export const KIND_LABELS: Record<SlotKind, string> = { snp: 'SNP', psy: 'Psy' }
export const WEEKDAY_LABELS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const

const pad = (n: number): string => String(n).padStart(2, '0')
function utcDate (d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/**
 * The first and last dates of an ISO week (`2020-W29` → 2020-07-13 … 2020-07-19), clipped to
 * the period when given (edge weeks of a report count only their days inside the period).
 */
export function isoWeekDates (week: string, period?: { from: string, to: string }): { from: string, to: string } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week)
  if (m === null) return { from: period?.from ?? '', to: period?.to ?? '' }
  const year = Number(m[1])
  const n = Number(m[2])
  // 4 January is always in week 1; its week starts on the Monday before (or on) it.
  const jan4 = new Date(Date.UTC(year, 0, 4, 12))
  const monday = new Date(jan4)
  monday.setUTCDate(4 - ((jan4.getUTCDay() + 6) % 7) + (n - 1) * 7)
  const sunday = new Date(monday)
  sunday.setUTCDate(monday.getUTCDate() + 6)
  let from = utcDate(monday)
  let to = utcDate(sunday)
  if (period !== undefined) {
    if (from < period.from) from = period.from
    if (to > period.to) to = period.to
  }
  return { from, to }
}

export const SUMMARY_HEADERS = ['Indicateur', 'Valeur', 'Unité'] as const

/** Headline figures, one per line, with the period and the filters first. */
export function summaryCsv (report: SeasonReport, filters: { cpts: string, kind: string }): string {
  const t = report.totals
  const rows: CsvCell[][] = [
    ['Début de la période', report.period.from, 'date'],
    ['Fin de la période', report.period.to, 'date'],
    ['CPTS', filters.cpts, ''],
    ['Type de créneaux', filters.kind, ''],
    ['Créneaux offerts', t.offered, 'créneaux'],
    ['Créneaux réservés', t.booked, 'créneaux'],
    ['Taux de remplissage', percentCell(t.fillRate), '%'],
    ['Consultations honorées', t.honored, 'réservations'],
    ['Taux honoré', percentCell(t.honoredRate), '%'],
    ['Non honorées (lapins)', t.noShow, 'réservations'],
    ['Taux de lapins', percentCell(t.noShowRate), '%'],
    ['Part des patients sans médecin traitant', percentCell(t.withoutTreatingGpShare), '%'],
    ['Demande non satisfaite (appels sans créneau)', t.unmetDemand, 'appels'],
    ['Majoration totale', t.majorationEuros, '€'],
    ['Délai réservation → consultation, médiane', report.leadTime.medianHours === null ? null : frenchNumber(report.leadTime.medianHours, 2), 'heures'],
    ['Délai réservation → consultation, 90e percentile', report.leadTime.p90Hours === null ? null : frenchNumber(report.leadTime.p90Hours, 2), 'heures'],
    ['Créneaux retirés', t.withdrawn, 'créneaux'],
    ['Réservations abandonnées', report.expiredHolds, 'mises en attente']
  ]
  return toCsv(SUMMARY_HEADERS, rows)
}

export const PRACTITIONER_HEADERS = ['Nom', 'RPPS', 'CPTS', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)',
  'Honorés', 'Non honorés (lapins)', 'Majoration (€)', 'Créneaux retirés'] as const

/** Practitioners, in the report's order; `cptsName` turns a CPTS id into its name. */
export function practitionersCsv (report: SeasonReport, cptsName: (id: string) => string): string {
  return toCsv(PRACTITIONER_HEADERS, report.byPractitioner.map((p) => [
    p.name, p.rpps, cptsName(p.cptsId), p.offered, p.booked, percentCell(p.fillRate), p.honored, p.noShow, p.majorationEuros, p.withdrawn
  ]))
}

export const CPTS_HEADERS = ['CPTS', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)'] as const

export function cptsCsv (report: SeasonReport): string {
  return toCsv(CPTS_HEADERS, report.byCpts.map((c) => [c.name, c.offered, c.booked, percentCell(c.fillRate)]))
}

export const KIND_HEADERS = ['Type', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)'] as const

export function kindsCsv (report: SeasonReport): string {
  return toCsv(KIND_HEADERS, report.byKind.map((k) => [KIND_LABELS[k.kind], k.offered, k.booked, percentCell(k.fillRate)]))
}

export const WEEK_HEADERS = ['Semaine', 'Du', 'Au', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)'] as const

export function weeksCsv (report: SeasonReport): string {
  return toCsv(WEEK_HEADERS, report.byWeek.map((w) => {
    const d = isoWeekDates(w.week, report.period)
    return [w.week, d.from, d.to, w.offered, w.booked, percentCell(w.fillRate)]
  }))
}

export const DAY_HEADERS = ['Date', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)'] as const

export function daysCsv (report: SeasonReport): string {
  return toCsv(DAY_HEADERS, report.byDay.map((d) => [d.date, d.offered, d.booked, percentCell(d.fillRate)]))
}

export const HEATMAP_HEADERS = ['Jour', 'Heure', 'Créneaux offerts', 'Créneaux réservés', 'Taux de remplissage (%)'] as const

/** The weekday × hour cells that had slots; `Heure` is the hour of the start, `12` for 12:00–12:59. */
export function heatmapCsv (report: SeasonReport): string {
  return toCsv(HEATMAP_HEADERS, report.heatmap.map((c) => [
    WEEKDAY_LABELS[c.weekday - 1] ?? String(c.weekday), c.hour, c.offered, c.booked, percentCell(c.offered === 0 ? null : c.booked / c.offered)
  ]))
}

// ---------------------------------------------------------------------------------------------
// The calls report's tables (GET /api/reports/calls).

const share = (n: number, of: number): number | null => of === 0 ? null : n / of

export const CALL_OUTCOME_HEADERS = ['Issue', 'Appels', 'Part (%)'] as const

/** How the calls ended: every outcome, zeros included. */
export function callOutcomesCsv (report: CallsReport): string {
  const { calls, byOutcome } = report.totals
  return toCsv(CALL_OUTCOME_HEADERS, CALL_OUTCOMES.map((o) => [CALL_OUTCOME_FR[o], byOutcome[o], percentCell(share(byOutcome[o], calls))]))
}

export const CALL_COMMUNE_HEADERS = ['Commune du patient', 'Code INSEE', 'Département', 'Appels sans créneau', 'Appels', 'Part sans créneau (%)'] as const

/** Calls by the patient's commune, most no-slot calls first (as the API orders them); an unnoted commune is `non renseignée`. */
export function callCommunesCsv (report: CallsReport): string {
  return toCsv(CALL_COMMUNE_HEADERS, report.byCommune.map((c) => [
    c.name ?? 'non renseignée', c.communeCode ?? '', c.departement ?? '', c.noSlot, c.calls, percentCell(share(c.noSlot, c.calls))
  ]))
}

export const CALL_HOUR_HEADERS = ['Heure', 'Appels sans créneau', 'Appels', 'Part sans créneau (%)'] as const

/** Calls by local hour of the call, hours with calls only; `Heure` 12 is 12:00–12:59. */
export function callHoursCsv (report: CallsReport): string {
  return toCsv(CALL_HOUR_HEADERS, report.byHour.filter((h) => h.calls > 0).map((h) => [h.hour, h.noSlot, h.calls, percentCell(share(h.noSlot, h.calls))]))
}

export const CALL_DAY_HEADERS = ['Date', 'Appels sans créneau', 'Appels', 'Appels avec créneau réservé'] as const

/** Calls by local date, days with calls only. */
export function callDaysCsv (report: CallsReport): string {
  return toCsv(CALL_DAY_HEADERS, report.byDay.filter((d) => d.calls > 0).map((d) => [d.date, d.noSlot, d.calls, d.byOutcome.booked]))
}

// ---------------------------------------------------------------------------------------------
// The waiting list's tables (issue 25).

type WaitingTally = WaitingListReport['totals']
export const WAITING_HEADERS = ['Demandes', 'Réservées depuis la liste', 'Expirées', 'Retirées', 'En attente', 'Part réservée (%)'] as const
const waitingCells = (t: WaitingTally): CsvCell[] => [t.made, t.recovered, t.expired, t.withdrawn, t.open, percentCell(share(t.recovered, t.made))]

/** One breakdown of the waiting list (commune, kind, week, hour), as the API orders it; hours with requests only. */
export function waitingListCsv (report: WaitingListReport, by: 'commune' | 'kind' | 'week' | 'hour'): string {
  switch (by) {
    case 'commune': return toCsv(['Commune du patient', 'Code INSEE', 'Département', ...WAITING_HEADERS], report.byCommune.map((c) => [c.name ?? c.communeCode, c.communeCode, c.departement ?? '', ...waitingCells(c)]))
    case 'kind': return toCsv(['Type', ...WAITING_HEADERS], report.byKind.map((k) => [KIND_LABELS[k.kind], ...waitingCells(k)]))
    case 'week': return toCsv(['Semaine', ...WAITING_HEADERS], report.byWeek.map((w) => [w.week, ...waitingCells(w)]))
    case 'hour': return toCsv(['Heure', ...WAITING_HEADERS], report.byHour.filter((h) => h.made > 0).map((h) => [h.hour, ...waitingCells(h)]))
  }
}
