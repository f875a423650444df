/**
 * Season import: a CSV of past slots in their final state (contract, "Season import").
 * Every line is checked before anything is written; one bad line refuses the whole file
 * (400 IMPORT_INVALID with every bad line). A good file is written all or nothing, in
 * multi-row inserts, with one audit entry and no live events: it is history, not news
 * (importSeason: one transaction on PostgreSQL, journalled steps on SQLite).
 */
import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import type { Insertable, Kysely, Transaction } from 'kysely'
import { applyRollups, deferRollups } from '../../../db/rollup-deltas.js'
import type { BookingsTable, Database, SlotOffersTable, SlotsTable } from '../../../db/types.js'
import { IsoDateTime } from '../../../shared/schemas/common.js'
import { IMPORT_COLUMNS, IMPORT_OPTIONAL_COLUMNS, IMPORT_OUTCOMES, type SeasonImportResult } from '../../../shared/schemas/reports.js'
import { HAS_TREATING_GP, SLOT_KINDS, SLOT_MODES, type HasTreatingGp, type SlotKind, type SlotMode, type SlotStatus } from '../../../shared/schemas/slots.js'
import { isPostgres } from '../../../db/dialect.js'
import { BUSY_MAX_PAUSE_MS } from '../../../db/sqlite-busy-wait.js'
import { AppError } from '../../errors.js'
import { foldName } from '../../lib/fold-name.js'
import { appendAudit } from '../audit/audit-repository.js'
import { slotLocalColumns } from '../slots/local-columns.js'
import { overlaps, takesTime } from '../slots/overlap-rule.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import type { Actor } from '../session/actor.js'
import { practitionersByRpps, takenTimesOf } from './import-repository.js'
import { endRun, recordStep, startRun, undoRun } from './import-journal.js'

export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number]

export interface LineError { line: number, message: string }

/** A CPTS a practitioner is a member of, as a line's `cpts` names it: by name or FINESS. */
export interface ImportCpts { id: string, name: string, finess: string | null, zone: string }

/** A practitioner as the import matches it, by RPPS. */
export interface ImportPractitioner {
  id: string
  /** The home CPTS (users.cpts_id) and its zone. */
  cptsId: string | null
  zone: string | null
  profession: 'gp' | 'psychiatrist'
  homePlaceId: string
  /** Active places' ids by their folded label (foldName). */
  places: ReadonlyMap<string, string>
  /** Every CPTS the practitioner is a member of, the home one among them. */
  memberships: readonly ImportCpts[]
}

/** One good line, ready to insert. */
export interface ImportLine {
  line: number
  practitionerId: string
  placeId: string
  /** The slot's own CPTS: the home CPTS when offered to it, else the first named. */
  cptsId: string
  /** The other CPTS it was offered to (slot_offers), sorted. */
  extraCptsIds: string[]
  zone: string
  start: Date
  end: Date
  kind: SlotKind
  mode: SlotMode
  withdrawnAt: Date | null
  booking: { bookedAt: Date, outcome: ImportOutcome, hasTreatingGp: HasTreatingGp } | null
}

/** Bad lines listed in the answer, at most (the message gives the total). */
export const MAX_LISTED_ERRORS = 1000
/** Rows per multi-row INSERT (slots have 17 columns: 8,500 parameters, under SQLite's limit). */
export const INSERT_CHUNK = 500

const HEADER = IMPORT_COLUMNS.join(',')
const COLUMNS = [...IMPORT_COLUMNS, ...IMPORT_OPTIONAL_COLUMNS] as const
type Column = (typeof COLUMNS)[number]
/** Instants before this are typing errors (year 0000, 0202…), not history. */
const EARLIEST_IMPORT = Date.UTC(2000, 0, 1)

function isOneOf<T extends string> (values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v)
}

function instant (v: string): Date | null {
  return IsoDateTime.safeParse(v).success ? new Date(v) : null
}

/** The header's column positions (-1: an optional column left out), or what is wrong with it. */
function readHeader (fields: string[]): { index: Record<Column, number> } | { error: string } {
  const names = fields.map((f) => f.trim().toLowerCase())
  const missing = IMPORT_COLUMNS.filter((c) => !names.includes(c))
  if (missing.length === IMPORT_COLUMNS.length) return { error: `missing header line: the first line must be ${HEADER}` }
  const unknown = names.filter((n) => !isOneOf(COLUMNS, n))
  const twice = names.filter((n, i) => names.indexOf(n) !== i)
  const problems: string[] = []
  if (missing.length > 0) problems.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`)
  if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}`)
  if (twice.length > 0) problems.push(`column${twice.length > 1 ? 's' : ''} ${twice.join(', ')} given twice`)
  if (problems.length > 0) return { error: `bad header line (${problems.join('; ')}): expected ${HEADER}` }
  return { index: Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<Column, number> }
}

/** Checks one data line; returns the slot to insert or the reasons it is refused. */
function readLine (line: number, get: (c: Column) => string, practitioners: ReadonlyMap<string, ImportPractitioner>, now: Date): ImportLine | string[] {
  const problems: string[] = []
  const rpps = get('rpps')
  const who = rpps === '' ? undefined : practitioners.get(rpps)
  if (rpps === '') problems.push('rpps is required')
  else if (who === undefined) problems.push(`unknown RPPS ${rpps}: no practitioner account has it`)
  else if (who.cptsId === null || who.zone === null) problems.push(`the practitioner with RPPS ${rpps} is not attached to a CPTS`)

  const when = (c: 'start' | 'end' | 'withdrawn_at' | 'booked_at', required: boolean): Date | null => {
    const v = get(c)
    if (v === '') {
      if (required) problems.push(`${c} is required`)
      return null
    }
    const d = instant(v)
    if (d === null) problems.push(`${c} ${JSON.stringify(v)} is not an ISO 8601 date-time with an offset or Z (e.g. 2020-07-13T12:00:00+02:00)`)
    else if (d.getTime() < EARLIEST_IMPORT) problems.push(`${c} ${JSON.stringify(v)} is before the year 2000: not a season of unscheduled care`)
    return d
  }
  const start = when('start', true)
  const end = when('end', true)
  const withdrawnAt = when('withdrawn_at', false)
  const bookedAt = when('booked_at', false)
  if (start !== null && end !== null && end.getTime() <= start.getTime()) problems.push('end must be after start')
  if (start !== null && start.getTime() > now.getTime()) problems.push('start is in the future: the import takes past slots only (publish future slots in the calendar)')
  if (bookedAt !== null && bookedAt.getTime() > now.getTime()) problems.push('booked_at is in the future')

  const kind = get('kind')
  if (!isOneOf(SLOT_KINDS, kind)) problems.push(`kind must be ${SLOT_KINDS.join(' or ')}, not ${JSON.stringify(kind)}`)
  else if (who !== undefined && (who.profession === 'gp' ? 'snp' : 'psy') !== kind) {
    problems.push(who.profession === 'gp' ? `RPPS ${rpps} is a GP: GPs have snp slots` : `RPPS ${rpps} is a psychiatrist: psychiatrists have psy slots`)
  }
  const mode = get('mode')
  if (!isOneOf(SLOT_MODES, mode)) problems.push(`mode must be ${SLOT_MODES.join(', ')}, not ${JSON.stringify(mode)}`)

  const outcome = get('outcome')
  const gp = get('has_treating_gp')
  const booked = get('booked_at') !== ''
  if (get('withdrawn_at') !== '' && booked) problems.push('withdrawn_at and booked_at are both set: a slot is withdrawn while free, or booked')
  if (!booked && outcome !== '') problems.push('outcome without booked_at: a booking needs its booked_at')
  if (booked && outcome === '') problems.push(`outcome is required when booked_at is set (${IMPORT_OUTCOMES.join(', ')})`)
  if (outcome !== '' && !isOneOf(IMPORT_OUTCOMES, outcome)) problems.push(`outcome must be ${IMPORT_OUTCOMES.join(', ')}, not ${JSON.stringify(outcome)}`)
  if (booked && gp === '') problems.push(`has_treating_gp is required when booked_at is set (${HAS_TREATING_GP.join(', ')})`)
  if (gp !== '' && !isOneOf(HAS_TREATING_GP, gp)) problems.push(`has_treating_gp must be ${HAS_TREATING_GP.join(', ')}, not ${JSON.stringify(gp)}`)

  const at = who?.cptsId == null ? null : whereOffered(who, rpps, get('place'), get('cpts'), problems)

  if (problems.length > 0 || at === null || who === undefined || start === null || end === null) return problems
  return {
    line,
    practitionerId: who.id,
    ...at,
    start,
    end,
    kind: kind as SlotKind,
    mode: mode as SlotMode,
    withdrawnAt,
    booking: bookedAt === null ? null : { bookedAt, outcome: outcome as ImportOutcome, hasTreatingGp: gp as HasTreatingGp }
  }
}

/**
 * A line's place (`place`: a label of the practitioner's active places; empty, the home place)
 * and the CPTS its slot was offered to (`cpts`: names or FINESS numbers among the
 * practitioner's, `|`-separated; empty, the home CPTS), all of one time zone. Null with the
 * problems pushed.
 */
function whereOffered (who: ImportPractitioner, rpps: string, place: string, cpts: string, problems: string[]): Pick<ImportLine, 'placeId' | 'cptsId' | 'extraCptsIds' | 'zone'> | null {
  const before = problems.length
  const placeId = place === '' ? who.homePlaceId : who.places.get(foldName(place))
  if (placeId === undefined) problems.push(`unknown place ${JSON.stringify(place)} for RPPS ${rpps}: not one of the practitioner's places`)
  const named = cpts === '' ? [] : cpts.split('|').map((c) => c.trim()).filter((c) => c !== '')
  const offered: ImportCpts[] = []
  for (const n of named) {
    const folded = foldName(n)
    const c = who.memberships.find((m) => m.finess === n || foldName(m.name) === folded)
    if (c === undefined) problems.push(`CPTS ${JSON.stringify(n)} is not one of the CPTS of RPPS ${rpps}`)
    else if (!offered.includes(c)) offered.push(c)
  }
  if (named.length === 0 && who.cptsId !== null && who.zone !== null) offered.push({ id: who.cptsId, name: '', finess: null, zone: who.zone })
  if (new Set(offered.map((c) => c.zone)).size > 1) problems.push(`the CPTS ${offered.map((c) => JSON.stringify(c.name)).join(', ')} are not in one time zone: a slot's CPTS share one`)
  const own = offered.find((c) => c.id === who.cptsId) ?? offered[0]
  if (problems.length > before || placeId === undefined || own === undefined) return null
  return { placeId, cptsId: own.id, extraCptsIds: offered.filter((c) => c !== own).map((c) => c.id).sort(), zone: own.zone }
}

/** The status a line's slot is written with: a cancelled booking leaves its slot free. */
function statusOf (l: ImportLine): SlotStatus {
  return l.withdrawnAt !== null ? 'withdrawn' : l.booking !== null && l.booking.outcome !== 'cancelled' ? 'booked' : 'free'
}

/** Whether the line's slot takes time, by the overlap rule (a withdrawn one does not). */
const lineTakesTime = (l: ImportLine): boolean => takesTime(statusOf(l))

/** Lines whose slot overlaps an earlier line's slot of the same practitioner (the overlap rule, slots/overlap-rule.ts). */
function overlapsInFile (lines: readonly ImportLine[]): LineError[] {
  const errors: LineError[] = []
  const byPractitioner = new Map<string, ImportLine[]>()
  for (const l of lines) {
    if (!lineTakesTime(l)) continue
    const list = byPractitioner.get(l.practitionerId)
    if (list === undefined) byPractitioner.set(l.practitionerId, [l])
    else list.push(l)
  }
  for (const list of byPractitioner.values()) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime() || a.line - b.line)
    let last: ImportLine | null = null
    for (const l of list) {
      if (last !== null && overlaps({ start: l.start.getTime(), end: l.end.getTime() }, { start: last.start.getTime(), end: last.end.getTime() })) {
        errors.push({ line: l.line, message: `overlaps the slot of line ${last.line} (same practitioner)` })
      }
      if (last === null || l.end.getTime() > last.end.getTime()) last = l
    }
  }
  return errors
}

/**
 * Parses and checks a whole file against the practitioners (by RPPS) and now. Line numbers
 * are the file's, header = line 1. Accepts a UTF-8 BOM, CRLF, quoted fields, columns in any
 * order and `;` as separator when the header uses it (spreadsheets in French locales).
 */
export function parseSeasonCsv (text: string, practitioners: ReadonlyMap<string, ImportPractitioner>, now: Date): { lines: ImportLine[], errors: LineError[] } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ','
  let records: Array<{ record: string[], info: { lines: number } }>
  try {
    records = parse(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records
  } catch (err) {
    const e = err as { lines?: number, message?: string }
    return { lines: [], errors: [{ line: typeof e.lines === 'number' && e.lines > 0 ? e.lines : 1, message: `unreadable CSV: ${e.message ?? String(err)}` }] }
  }
  const head = records[0]
  if (head === undefined) return { lines: [], errors: [{ line: 1, message: `empty file: the first line must be ${HEADER}` }] }
  const header = readHeader(head.record)
  if ('error' in header) return { lines: [], errors: [{ line: head.info.lines, message: header.error }] }

  const lines: ImportLine[] = []
  const errors: LineError[] = []
  const fields = head.record.length
  for (const { record, info } of records.slice(1)) {
    if (record.length !== fields) {
      errors.push({ line: info.lines, message: `expected ${fields} fields (${head.record.map((f) => f.trim().toLowerCase()).join(',')}), found ${record.length}` })
      continue
    }
    const out = readLine(info.lines, (c) => record[header.index[c]] ?? '', practitioners, now)
    if (Array.isArray(out)) errors.push({ line: info.lines, message: out.join('; ') })
    else lines.push(out)
  }
  if (lines.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no slot in the file: one line a slot after the header' })
  errors.push(...overlapsInFile(lines))
  errors.sort((a, b) => a.line - b.line)
  return { lines, errors }
}

function refuse (errors: LineError[]): AppError {
  const n = new Set(errors.map((e) => e.line)).size
  const listed = errors.slice(0, MAX_LISTED_ERRORS)
  const first = listed[0]
  const message = (n === 1 && first !== undefined ? `line ${first.line}: ${first.message}` : `${n} bad lines${n > listed.length ? ` (the first ${listed.length} listed)` : ''}`) +
    '; nothing was imported'
  return new AppError('IMPORT_INVALID', message, { errors: listed })
}

/** Lines whose slot overlaps a slot already in the database (the overlap rule): typically a file imported twice. */
async function overlapsInDatabase (db: Transaction<Database>, lines: readonly ImportLine[]): Promise<LineError[]> {
  const live = lines.filter(lineTakesTime)
  if (live.length === 0) return []
  const existing = await takenTimesOf(db, live)
  const errors: LineError[] = []
  for (const l of live) {
    const list = existing.get(l.practitionerId)
    if (list === undefined) continue
    const s = l.start.toISOString()
    const e = l.end.toISOString()
    // First existing slot ending after this start; it overlaps when it starts before this end.
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (list[mid]!.end > s) hi = mid
      else lo = mid + 1
    }
    const hit = list[lo]
    if (hit !== undefined && overlaps(hit, { start: s, end: e })) {
      errors.push({ line: l.line, message: `overlaps a slot of this practitioner already in the calendar (starting ${toZonedIso(hit.start, l.zone)}): was this file imported before?` })
    }
  }
  return errors
}

/**
 * Ids in the order they are made, for the rows of one import: a UUID of version 7 (RFC 9562:
 * the milliseconds, a counter, then random bits). An import's rows then go to the end of
 * the id indexes instead of all over them: far fewer pages written per step on SQLite.
 */
export function orderedIds (): () => string {
  const ms = Date.now().toString(16).padStart(12, '0')
  const random = randomBytes(5).toString('hex').slice(0, 9)
  let n = 0
  return () => {
    const c = (n++).toString(16).padStart(9, '0')
    return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${c.slice(0, 3)}-8${c.slice(3, 6)}-${c.slice(6, 9)}${random}`
  }
}

/** The rows of a batch of lines: a slot each, and its booking if it has one (ids made here). */
function rowsOf (chunk: readonly ImportLine[], nowIso: string, newId: () => string): { slots: Array<Insertable<SlotsTable>>, offers: Array<Insertable<SlotOffersTable>>, bookings: Array<Insertable<BookingsTable>> } {
  const slots: Array<Insertable<SlotsTable>> = []
  const offers: Array<Insertable<SlotOffersTable>> = []
  const bookings: Array<Insertable<BookingsTable>> = []
  for (const l of chunk) {
    const slotId = newId()
    const b = l.booking
    const live = b !== null && b.outcome !== 'cancelled'
    const bookingId = b === null ? null : newId()
    slots.push({
      id: slotId, practitioner_id: l.practitionerId, place_id: l.placeId, cpts_id: l.cptsId,
      start_at: l.start.toISOString(), end_at: l.end.toISOString(), kind: l.kind, mode: l.mode,
      status: statusOf(l),
      hold_by: null, hold_expires_at: null, booking_id: live ? bookingId : null,
      created_at: nowIso, updated_at: nowIso, withdrawn_at: l.withdrawnAt?.toISOString() ?? null,
      ...slotLocalColumns(l.start, l.zone)
    })
    for (const cptsId of l.extraCptsIds) offers.push({ slot_id: slotId, cpts_id: cptsId })
    if (b !== null && bookingId !== null) {
      bookings.push({
        id: bookingId, slot_id: slotId, status: b.outcome,
        patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null, reason: null,
        has_treating_gp: b.hasTreatingGp, booked_by: null, booked_at: b.bookedAt.toISOString(), idempotency_key: null,
        cancelled_at: null, cancel_reason: null, cancelled_by: null, outcome_at: null, outcome_by: null
      })
    }
  }
  return { slots, offers, bookings }
}

/**
 * Writes a batch of lines (at most INSERT_CHUNK): their slots, then the rows that point to them
 * (bookings). Rows of a slot that later columns add go here too, after the slots' insert. Returns
 * the ids of the slots and the number of bookings written.
 */
async function writeBatch (trx: Transaction<Database>, chunk: readonly ImportLine[], nowIso: string, newId: () => string): Promise<{ slotIds: string[], bookings: number }> {
  const rows = rowsOf(chunk, nowIso, newId)
  await trx.insertInto('slots').values(rows.slots).execute()
  // The offers right after their slots (slot_offers → slots), before anything else moves them.
  if (rows.offers.length > 0) await trx.insertInto('slot_offers').values(rows.offers).execute()
  if (rows.bookings.length > 0) await trx.insertInto('bookings').values(rows.bookings).execute()
  return { slotIds: rows.slots.map((r) => r.id), bookings: rows.bookings.length }
}

/** The import's one audit entry, in the transaction that makes it whole. */
async function auditImport (trx: Transaction<Database>, actor: Actor, lines: readonly ImportLine[], bookings: number, now: Date): Promise<void> {
  let first = Infinity
  let last = -Infinity
  for (const l of lines) { first = Math.min(first, l.start.getTime()); last = Math.max(last, l.start.getTime()) }
  await appendAudit(trx, {
    at: now, userId: actor.id, action: 'season.import', subjectType: 'season', ip: actor.ip,
    detail: {
      slots: lines.length, bookings,
      practitioners: new Set(lines.map((l) => l.practitionerId)).size,
      firstStart: new Date(first).toISOString(), lastStart: new Date(last).toISOString()
    }
  })
}

/** For tests: called after each batch written (in its transaction); a throw makes the import fail there. */
export interface ImportHooks { afterBatch?: (batch: number) => void | Promise<void> }

const dryRunResult = (lines: readonly ImportLine[]): SeasonImportResult =>
  ({ slots: lines.length, bookings: lines.filter((l) => l.booking !== null).length, dryRun: true })

/**
 * Imports a season: all lines or none. A slot is at the place its line names and offered to
 * the CPTS it names (by default the practitioner's home place and home CPTS); bookings carry
 * no patient identity and no author (booked_by null). A cancelled
 * booking is kept as such and leaves its slot free; withdrawn_at makes the slot withdrawn.
 * With `dryRun`, every check runs (the database's overlaps too) and the counts come back,
 * but nothing is written, not even an audit entry.
 *
 * The file is parsed and checked before any write. PostgreSQL then writes it in one transaction
 * (other writers are not stopped by it: they take other rows' locks). SQLite has one writer at
 * a time: there the import is written in steps of STEP_LINES lines, each a short transaction,
 * live writes in between (importInSteps).
 */
export async function importSeason (db: Kysely<Database>, actor: Actor, text: string, now: Date, opts: { dryRun?: boolean, hooks?: ImportHooks } = {}): Promise<SeasonImportResult> {
  const { lines, errors } = parseSeasonCsv(text, await practitionersByRpps(db), now)
  if (errors.length > 0) throw refuse(errors)
  return isPostgres(db) ? await importInOneTransaction(db, actor, lines, now, opts) : await importInSteps(db, actor, lines, now, opts)
}

async function importInOneTransaction (db: Kysely<Database>, actor: Actor, lines: readonly ImportLine[], now: Date, opts: { dryRun?: boolean, hooks?: ImportHooks }): Promise<SeasonImportResult> {
  const nowIso = now.toISOString()
  return await db.transaction().execute(async (trx) => {
    // Checked inside the transaction, the practitioners' accounts locked first (lockAccounts):
    // no other write of their slots, on any instance, can slip in between.
    const clashes = await overlapsInDatabase(trx, lines)
    if (clashes.length > 0) throw refuse(clashes.sort((a, b) => a.line - b.line))
    if (opts.dryRun === true) return dryRunResult(lines)
    const newId = orderedIds()
    // The rollups' counters locked in one ordered step at the end (db/rollup-deltas.ts), not batch by batch.
    await deferRollups(trx)
    let bookings = 0
    for (let i = 0; i < lines.length; i += INSERT_CHUNK) {
      bookings += (await writeBatch(trx, lines.slice(i, i + INSERT_CHUNK), nowIso, newId)).bookings
      await opts.hooks?.afterBatch?.(i / INSERT_CHUNK)
    }
    await applyRollups(trx)
    await auditImport(trx, actor, lines, bookings, now)
    return { slots: lines.length, bookings }
  })
}

/** Lines per step on SQLite: a step holds the write lock some tens of milliseconds (rollup triggers included). */
export const STEP_LINES = 200
/** Pause after each step: longer than a waiting writer's longest busy-wait pause (db/sqlite-busy-wait.ts), so that it gets its turn. */
const STEP_PAUSE_MS = BUSY_MAX_PAUSE_MS + 5

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * SQLite: the import's turn is taken (one import written at a time: its check stays true), the
 * calendar's overlaps are checked, then the slots are written STEP_LINES at a time, each step
 * in a transaction of its own that journals the ids it wrote (import-journal.ts). The last step
 * writes the audit entry and ends the run: that commit is the import's. A step that fails undoes
 * the steps before it; a process that dies mid-way leaves a run that is undone at the next start
 * (import-routes.ts) or by the next import. Readers may see the steps already written while the
 * import runs (history of past seasons, a few seconds); never a failed import once it answered.
 */
async function importInSteps (db: Kysely<Database>, actor: Actor, lines: readonly ImportLine[], now: Date, opts: { dryRun?: boolean, hooks?: ImportHooks }): Promise<SeasonImportResult> {
  const check = async (): Promise<void> => {
    const clashes = await db.transaction().setAccessMode('read only').execute(async (trx) => await overlapsInDatabase(trx, lines))
    if (clashes.length > 0) throw refuse(clashes.sort((a, b) => a.line - b.line))
  }
  if (opts.dryRun === true) {
    await check()
    return dryRunResult(lines)
  }
  const runId = await startRun(db)
  const nowIso = now.toISOString()
  const nowMs = now.getTime()
  const newId = orderedIds()
  let bookings = 0
  try {
    await check()
    for (let i = 0, seq = 0; i < lines.length; i += STEP_LINES, seq++) {
      const step = lines.slice(i, i + STEP_LINES)
      const last = i + STEP_LINES >= lines.length
      await db.transaction().execute(async (trx) => {
        // Slots still running at `now` may meet a slot published meanwhile: checked again here.
        const open = step.filter((l) => l.end.getTime() > nowMs)
        const clashes = open.length === 0 ? [] : await overlapsInDatabase(trx, open)
        if (clashes.length > 0) throw refuse(clashes)
        const written = await writeBatch(trx, step, nowIso, newId)
        bookings += written.bookings
        await recordStep(trx, runId, seq, written.slotIds)
        await opts.hooks?.afterBatch?.(seq)
        if (last) {
          await auditImport(trx, actor, lines, bookings, now)
          await endRun(trx, runId)
        }
      })
      if (!last) await sleep(STEP_PAUSE_MS)
    }
  } catch (err) {
    // Undone now; if even that fails, the run is undone by the next import or start.
    await undoRun(db, runId).catch(() => {})
    throw err
  }
  return { slots: lines.length, bookings }
}
