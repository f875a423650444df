/**
 * The CSV format of every download (the season report's tables, the audit journal), for Excel
 * and LibreOffice in a French locale: UTF-8 with a BOM, `;` between fields, CRLF after every
 * line, quoting of `;`, `"`, CR, LF and edge spaces, numbers with a decimal comma, and a `'`
 * before a text starting with `=`, `+`, `-`, `@`, a tab or CR (CSV injection). See
 * web/lib/csv.ts for the report's columns.
 */
export const CSV_SEPARATOR = ';'
export const CSV_EOL = '\r\n'
export const CSV_BOM = '\uFEFF'

/** A cell: text is written as is (quoted when needed), a number in French, null as an empty field. */
export type CsvCell = string | number | null

/** A number with a decimal comma and at most `decimals` decimals, trailing zeros dropped. */
export function frenchNumber (n: number, decimals = 2): string {
  const f = 10 ** decimals
  const rounded = Math.round(n * f) / f
  // Object.is: -0 would print as "0" anyway, but a tiny negative rounds to -0.
  return String(Object.is(rounded, -0) ? 0 : rounded).replace('.', ',')
}

const NEEDS_QUOTES = /[";\r\n]|^\s|\s$/
const FORMULA_START = /^[=+\-@\t\r]/

/** One field, quoted and guarded as the module comment says. */
export function csvField (cell: CsvCell): string {
  if (cell === null) return ''
  if (typeof cell === 'number') return Number.isFinite(cell) ? frenchNumber(cell) : ''
  const text = FORMULA_START.test(cell) ? "'" + cell : cell
  return NEEDS_QUOTES.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text
}

/** A whole file: BOM, header line, one line per row. */
export function toCsv (headers: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  const lines = [headers, ...rows].map((r) => r.map(csvField).join(CSV_SEPARATOR) + CSV_EOL)
  return CSV_BOM + lines.join('')
}
