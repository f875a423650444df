import { DateTime } from 'luxon'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { AuditEntry, AuditQuery } from '../../../shared/schemas/audit.js'
import { foldName } from '../../lib/fold-name.js'
import { toZonedIso } from '../../lib/zoned-time.js'

/** The journal is read in the territory's zone of reference (periods are local dates). */
export const JOURNAL_ZONE = 'Europe/Paris'

/**
 * The bookings (or waiting-list requests) of one patient still holding their identity, by last
 * name (folded) and birth date if given, oldest first.
 */
async function idsOfPatient (db: Kysely<Database>, table: 'bookings' | 'waiting_requests', lastName: string, birthDate: string | undefined): Promise<string[]> {
  let q = db.selectFrom(table).select(['id', 'patient_last_name']).where('patient_last_name', 'is not', null)
  if (birthDate !== undefined) q = q.where('patient_birth_date', '=', birthDate)
  const wanted = foldName(lastName)
  const rows = await q.orderBy(table === 'bookings' ? 'booked_at' : 'created_at').orderBy('id').execute()
  return rows.filter((r) => foldName(r.patient_last_name ?? '') === wanted).map((r) => r.id)
}

const MAX_BOOKINGS_SEARCHED = 200
const MAX_REQUESTS_SEARCHED = 50

const dayStart = (date: string): string => DateTime.fromISO(date, { zone: JOURNAL_ZONE }).startOf('day').toUTC().toISO()!

/**
 * One page of the journal, newest first. `limit` entries at most, plus whether more follow.
 * The filters combine (AND); a patient filter finds the entries about the patient's bookings and
 * waiting-list requests, and no entry when it finds neither.
 */
export async function readJournal (db: Kysely<Database>, q: AuditQuery, limit: number): Promise<{ entries: AuditEntry[], next: number | null }> {
  let bookingIds: string[] | undefined
  // The patient's waiting-list requests too, unless one booking is asked for.
  let requestIds: string[] = []
  if (q.patientName !== undefined) bookingIds = await idsOfPatient(db, 'bookings', q.patientName, q.patientBirthDate)
  if (q.patientName !== undefined && q.bookingId === undefined) requestIds = (await idsOfPatient(db, 'waiting_requests', q.patientName, q.patientBirthDate)).slice(-MAX_REQUESTS_SEARCHED)
  if (q.bookingId !== undefined) bookingIds = bookingIds === undefined ? [q.bookingId] : bookingIds.filter((id) => id === q.bookingId)
  if (bookingIds !== undefined && bookingIds.length === 0 && requestIds.length === 0) return { entries: [], next: null }
  // A patient seen hundreds of times is searched by their most recent bookings.
  if (bookingIds !== undefined) bookingIds = bookingIds.slice(-MAX_BOOKINGS_SEARCHED)

  let sel = db.selectFrom('audit_log as a').leftJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.id', 'a.at', 'a.action', 'a.subject_type', 'a.subject_id', 'a.ip', 'a.detail', 'u.id as uid', 'u.name as uname', 'u.email as uemail', 'u.role as urole'])
  if (q.userId !== undefined) sel = sel.where('a.user_id', '=', q.userId)
  if (q.action !== undefined) sel = sel.where('a.action', '=', q.action)
  if (bookingIds !== undefined) {
    const ids = [...bookingIds, ...requestIds]
    // An entry about one booking (one request) names it as its subject; a read of a list names
    // them in its detail (bookingIds, requestIds).
    sel = sel.where((eb) => eb.or([
      ...(bookingIds.length > 0 ? [eb.and([eb('a.subject_type', '=', 'booking'), eb('a.subject_id', 'in', bookingIds)])] : []),
      ...(requestIds.length > 0 ? [eb.and([eb('a.subject_type', '=', 'waiting_request'), eb('a.subject_id', 'in', requestIds)])] : []),
      ...ids.map((id) => eb('a.detail', 'like', `%"${id.replace(/[%_"\\]/g, '')}"%`))
    ]))
  }
  if (q.from !== undefined) sel = sel.where('a.at', '>=', dayStart(q.from))
  if (q.to !== undefined) sel = sel.where('a.at', '<', dayStart(DateTime.fromISO(q.to).plus({ days: 1 }).toISODate()!))
  if (q.before !== undefined) sel = sel.where('a.id', '<', q.before)
  const rows = await sel.orderBy('a.id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: toZonedIso(r.at, JOURNAL_ZONE),
      user: r.uid === null ? null : { id: r.uid, name: r.uname ?? '', email: r.uemail ?? '', role: r.urole ?? '' },
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      ip: r.ip,
      detail: r.detail === null ? null : JSON.parse(r.detail) as unknown
    })),
    next: rows.length > limit ? page.at(-1)!.id : null
  }
}
