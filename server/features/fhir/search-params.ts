/**
 * The SAS platform's Slot search (INT_R01 / INT_R04), parsed from the raw query string with the
 * tolerance its real requests need (see /work/shared/fhir-sas.md §1): `|` sent bare or as `%7C`,
 * spaces after the commas of the identifier list, an offset's `+` left unencoded (kept as a
 * plus) or already decoded into a space (read back as a plus), instants with or without an
 * offset. Pure: no HTTP, no database.
 */
import { DateTime, type DateTimeUnit } from 'luxon'
import { SYSTEM } from './codes.js'

/** The SAS batches 1 to 25 practitioners per call. */
export const MAX_IDENTIFIERS = 25

export const IDENTIFIER_PARAM = 'schedule.actor:Practitioner.identifier'

export interface SlotSearch {
  /** Slots whose start lies in [from, to] (both inclusive). */
  from: Date
  to: Date
  /** RPPS numbers (11 digits) named by the identifiers; null when the request names none. */
  rpps: string[] | null
  include: {
    schedule: boolean
    practitioner: boolean
    practitionerRole: boolean
    healthcareService: boolean
    organization: boolean
  }
  /** The request carries the CPTS includes: an INT_R04 search. */
  cpts: boolean
}

export interface SearchProblem {
  /** 400 for a request we cannot run, 406 for a format we do not speak. */
  status: 400 | 406
  /** OperationOutcome issue code. */
  code: 'invalid' | 'not-supported' | 'too-costly'
  message: string
}

export type SearchParse = { ok: true, search: SlotSearch } | { ok: false, problem: SearchProblem }

const fail = (status: SearchProblem['status'], code: SearchProblem['code'], message: string): SearchParse =>
  ({ ok: false, problem: { status, code, message } })

/**
 * `key=value` pairs of a raw query string, percent-decoded, with `+` kept as a plus: the SAS
 * sends `+02:00` unencoded, and nothing in this search is ever a form-encoded space.
 */
export function queryPairs (rawQuery: string): Array<[string, string]> | null {
  const pairs: Array<[string, string]> = []
  try {
    for (const part of rawQuery.split('&')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      const key = eq < 0 ? part : part.slice(0, eq)
      const value = eq < 0 ? '' : part.slice(eq + 1)
      pairs.push([decodeURIComponent(key), decodeURIComponent(value)])
    }
  } catch {
    return null
  }
  return pairs
}

interface Range { first: number, last: number }

const DATE_SHAPE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/

/**
 * The instants a FHIR date or dateTime covers at its precision (`2024-06-12` is the whole day,
 * `…T16:20:00` the whole second), read in `zone` when it carries no offset.
 */
export function dateRange (value: string, zone: string): Range | null {
  // An unencoded "+02:00" decoded by a proxy as " 02:00": put the plus back.
  const v = value.trim().replace(/^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(:?\d{2})?)$/, '$1+$2')
  if (!DATE_SHAPE.test(v)) return null
  const dt = DateTime.fromISO(v, { zone, setZone: true })
  if (!dt.isValid) return null
  const time = v.split('T')[1]?.replace(/(Z|[+-]\d{2}(:?\d{2})?)$/, '')
  let unit: DateTimeUnit | null
  if (time === undefined) unit = v.length === 4 ? 'year' : v.length === 7 ? 'month' : 'day'
  else if (time.includes('.')) unit = null
  else unit = time.length === 2 ? 'hour' : time.length === 5 ? 'minute' : 'second'
  const first = dt.toMillis()
  return { first, last: unit === null ? first : dt.endOf(unit).toMillis() }
}

interface Bounds { lower: number | null, upper: number | null }

function applyStart (raw: string, zone: string, b: Bounds): SearchProblem | null {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/s.exec(raw.trim())
  const prefix = m?.[1] ?? 'eq'
  const range = dateRange(m?.[2] ?? '', zone)
  if (range === null) return { status: 400, code: 'invalid', message: `start: "${raw}" is not a FHIR date or dateTime` }
  // Several bounds of one side narrow the window (FHIR: repeated parameters are ANDed).
  const atLeast = (v: number): void => { b.lower = b.lower === null ? v : Math.max(b.lower, v) }
  const atMost = (v: number): void => { b.upper = b.upper === null ? v : Math.min(b.upper, v) }
  switch (prefix) {
    case 'ge': atLeast(range.first); break
    case 'gt': atLeast(range.last + 1); break
    case 'le': atMost(range.last); break
    case 'lt': atMost(range.first - 1); break
    case 'eq': atLeast(range.first); atMost(range.last); break
    default: return { status: 400, code: 'not-supported', message: `start: the prefix "${prefix}" is not supported (ge, le, gt, lt, eq)` }
  }
  return null
}

/**
 * IdNat_PS identifiers (`system|value`, or a bare value) to RPPS numbers. Only `8` + RPPS can
 * match a practitioner here (no ADELI): any other value simply matches nothing. The SAS sends
 * one comma-separated (OR) list; should the parameter come twice, the lists are joined rather
 * than ANDed (two practitioners' slots never intersect), and count together towards the 25.
 */
function identifiersToRpps (values: string[]): { rpps: string[], count: number } {
  const rpps = new Set<string>()
  let count = 0
  for (const item of values.flatMap((v) => v.split(','))) {
    const token = item.trim()
    if (token === '') continue
    count++
    const bar = token.indexOf('|')
    const system = bar < 0 ? null : token.slice(0, bar).trim()
    const value = (bar < 0 ? token : token.slice(bar + 1)).trim()
    if (system !== null && system !== '' && system !== SYSTEM.idNatPs) continue
    if (/^8\d{11}$/.test(value)) rpps.add(value.slice(1))
  }
  return { rpps: [...rpps], count }
}

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir'])

/**
 * Reads a Slot search. `zone` reads instants given without an offset (FHIR leaves them to the
 * server: we take the territory's zone).
 *
 * @example
 * parseSlotSearch('start=ge2024-06-12T16:20:00+02:00&start=le2024-06-12T17:20:00+02:00&status=free', 'Europe/Paris')
 */
export function parseSlotSearch (rawQuery: string, zone: string): SearchParse {
  const pairs = queryPairs(rawQuery)
  if (pairs === null) return fail(400, 'invalid', 'the query string holds a malformed percent-encoding')
  const all = (name: string): string[] => pairs.filter(([k]) => k === name).map(([, v]) => v)

  const formats = all('_format').map((f) => f.trim().toLowerCase())
  if (formats.some((f) => !JSON_FORMATS.has(f.split(';')[0]?.trim() ?? ''))) {
    return fail(406, 'not-supported', '_format: only JSON is served (json, application/fhir+json)')
  }

  const starts = all('start')
  const bounds: Bounds = { lower: null, upper: null }
  for (const s of starts) {
    const problem = applyStart(s, zone, bounds)
    if (problem !== null) return { ok: false, problem }
  }
  if (bounds.lower === null || bounds.upper === null) {
    return fail(400, 'invalid', 'start: give the window as start=ge<dateTime>&start=le<dateTime>')
  }

  const statuses = all('status').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')
  const otherStatus = statuses.find((s) => s !== 'free')
  if (otherStatus !== undefined) return fail(400, 'not-supported', `status: only free slots are published (not "${otherStatus}")`)

  let rpps: string[] | null = null
  const idValues = all(IDENTIFIER_PARAM)
  if (idValues.length > 0) {
    const ids = identifiersToRpps(idValues)
    if (ids.count === 0) return fail(400, 'invalid', `${IDENTIFIER_PARAM}: no identifier given`)
    if (ids.count > MAX_IDENTIFIERS) {
      return fail(400, 'too-costly', `${IDENTIFIER_PARAM}: at most ${MAX_IDENTIFIERS} identifiers per search (${ids.count} given)`)
    }
    rpps = ids.rpps
  }

  // `_include` and `_include:iterate` read alike: the SAS always asks for the whole chain.
  const includes = new Set([...all('_include'), ...all('_include:iterate')].map((v) => v.trim()))
  const schedule = includes.has('Slot:schedule')
  const actor = includes.has('Schedule:actor')
  const healthcareService = includes.has('Slot:service-type-reference')
  return {
    ok: true,
    search: {
      from: new Date(bounds.lower),
      to: new Date(bounds.upper),
      rpps,
      include: {
        schedule,
        practitioner: schedule && (actor || includes.has('Schedule:actor:Practitioner')),
        practitionerRole: schedule && (actor || includes.has('Schedule:actor:PractitionerRole')),
        healthcareService,
        organization: healthcareService && includes.has('HealthcareService:organization')
      },
      cpts: healthcareService || includes.has('HealthcareService:organization')
    }
  }
}
