import type { Insertable, Kysely, Transaction, Updateable } from 'kysely'
import type { Database, WaitingRequestsTable } from '../../../db/types.js'
import type { SlotKind } from '../../../shared/schemas/slots.js'
import type { RequestStatus } from '../../../shared/schemas/waiting-list.js'
import { DEFAULT_ZONE } from '../cpts/cpts-repository.js'
import type { RequestRecord } from './request-view.js'

/** Requests with their territory's time zone (the default zone when they name no CPTS). */
function requestQuery (db: Kysely<Database>) {
  return db.selectFrom('waiting_requests')
    .leftJoin('cpts', 'cpts.id', 'waiting_requests.cpts_id')
    .selectAll('waiting_requests')
    .select((eb) => eb.fn.coalesce('cpts.timezone', eb.val(DEFAULT_ZONE)).as('timezone'))
}

export async function findRequest (db: Kysely<Database>, id: string): Promise<RequestRecord | undefined> {
  return await requestQuery(db).where('waiting_requests.id', '=', id).executeTakeFirst()
}

export interface RequestFilters { statuses: RequestStatus[], kind?: SlotKind, communeCode?: string, limit?: number }

export async function listRequests (db: Kysely<Database>, f: RequestFilters): Promise<RequestRecord[]> {
  let q = requestQuery(db).where('waiting_requests.status', 'in', f.statuses)
  if (f.kind !== undefined) q = q.where('waiting_requests.kind', '=', f.kind)
  if (f.communeCode !== undefined) q = q.where('waiting_requests.commune_code', '=', f.communeCode)
  return await q.orderBy('waiting_requests.created_at').orderBy('waiting_requests.id').limit(f.limit ?? 1000).execute()
}

/** Open requests whose window has not ended at `nowIso`, of these kinds (the matcher). */
export async function openRequests (db: Kysely<Database>, nowIso: string, kinds: SlotKind[]): Promise<RequestRecord[]> {
  if (kinds.length === 0) return []
  return await requestQuery(db).where('waiting_requests.status', '=', 'open').where('waiting_requests.not_after', '>', nowIso)
    .where('waiting_requests.kind', 'in', kinds).orderBy('waiting_requests.created_at').execute()
}

export async function insertRequest (trx: Transaction<Database>, row: Insertable<WaitingRequestsTable>): Promise<void> {
  await trx.insertInto('waiting_requests').values(row).execute()
}

/**
 * The one conditional UPDATE behind every change of a request by a regulator (claim, release,
 * book, withdraw): it changes the request only while it is open and not claimed by another
 * regulator (no claim, this regulator's, or one past its expiry). Of two regulators on two
 * instances the database lets one through; the other finds nothing to change and learns why from
 * `requestRefusal`. Returns the row after the change, with its zone.
 */
export async function changeOpenRequest (trx: Transaction<Database>, id: string, actorId: string, nowIso: string, change: Updateable<WaitingRequestsTable>): Promise<RequestRecord | undefined> {
  const done = await trx.updateTable('waiting_requests').set(change)
    .where('id', '=', id).where('status', '=', 'open')
    .where((eb) => eb.or([eb('claim_by', 'is', null), eb('claim_by', '=', actorId), eb('claim_expires_at', '<=', nowIso)]))
    .returning('id').executeTakeFirst()
  if (done === undefined) return undefined
  return await findRequest(trx, id)
}

/**
 * Ends every open request whose window has passed (the sweeper), in one UPDATE … RETURNING: two
 * instances sweeping at once end each request once (PostgreSQL re-checks the WHERE of a row
 * another transaction changed; SQLite has one writer).
 */
export async function expireRequests (trx: Transaction<Database>, nowIso: string): Promise<string[]> {
  const rows = await trx.updateTable('waiting_requests')
    .set({ status: 'expired', ended_at: nowIso, claim_by: null, claim_expires_at: null, claim_slot_id: null })
    .where('status', '=', 'open').where('not_after', '<=', nowIso)
    .returning('id').execute()
  return rows.map((r) => r.id)
}

/** Whether any open request's window has passed (most sweeps find none and open no transaction). */
export async function anyRequestToExpire (db: Kysely<Database>, nowIso: string): Promise<boolean> {
  const r = await db.selectFrom('waiting_requests').select('id').where('status', '=', 'open').where('not_after', '<=', nowIso).limit(1).executeTakeFirst()
  return r !== undefined
}

/**
 * The retention purge: erases the patient identity, phone, reason and withdrawal reason of the
 * requests whose window ended before `cutoff` (a request's data live no longer than a booking's).
 * What the board counts (commune, kind, dates, status) stays.
 */
export async function eraseRequestPatientData (db: Kysely<Database>, cutoff: string): Promise<number> {
  const r = await db.updateTable('waiting_requests')
    .set({ patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null, reason: null, end_reason: null })
    .where('not_after', '<', cutoff)
    .where((eb) => eb.or([
      eb('patient_last_name', 'is not', null), eb('patient_first_name', 'is not', null), eb('patient_birth_date', 'is not', null),
      eb('patient_phone', 'is not', null), eb('reason', 'is not', null), eb('end_reason', 'is not', null)
    ]))
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/**
 * The right to erasure (the admin, for one patient): erases the patient identity, phone, reason
 * and withdrawal reason of these requests, as the retention purge does; what the board counts
 * stays. The withdrawal reason of `keepEndReason` stays (the erasure's own, written by
 * withdrawOpenRequests just before: no patient data). Returns how many requests were erased.
 */
export async function eraseRequestsPatientData (trx: Transaction<Database>, ids: readonly string[], keepEndReason: readonly string[] = []): Promise<number> {
  if (ids.length === 0) return 0
  const r = await trx.updateTable('waiting_requests')
    .set({ patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null, reason: null })
    .where('id', 'in', [...ids])
    .executeTakeFirst()
  const others = ids.filter((id) => !keepEndReason.includes(id))
  if (others.length > 0) await trx.updateTable('waiting_requests').set({ end_reason: null }).where('id', 'in', others).execute()
  return Number(r.numUpdatedRows)
}

/** Those of these requests still open, with their claim, by id. */
export async function openRequestsAmong (trx: Transaction<Database>, ids: readonly string[]): Promise<Array<Pick<WaitingRequestsTable, 'id' | 'claim_by' | 'claim_expires_at' | 'claim_slot_id'>>> {
  if (ids.length === 0) return []
  return await trx.selectFrom('waiting_requests').select(['id', 'claim_by', 'claim_expires_at', 'claim_slot_id'])
    .where('id', 'in', [...ids]).where('status', '=', 'open').orderBy('id').execute()
}

/**
 * Ends as withdrawn, with `reason`, those of these requests still open, whoever claims them (the
 * right to erasure overrides a regulator's claim), in one UPDATE … RETURNING: a request booked or
 * expired meanwhile is left as it ended. Returns the ids ended.
 */
export async function withdrawOpenRequests (trx: Transaction<Database>, ids: readonly string[], actorId: string, nowIso: string, reason: string): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await trx.updateTable('waiting_requests')
    .set({ status: 'withdrawn', ended_at: nowIso, ended_by: actorId, end_reason: reason, claim_by: null, claim_expires_at: null, claim_slot_id: null })
    .where('id', 'in', [...ids]).where('status', '=', 'open')
    .returning('id').execute()
  return rows.map((r) => r.id).sort()
}

/** The last seq of the event log, read with the list it goes with (a page applies the events after it). */
export async function lastSeq (db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('events').select((eb) => eb.fn.max<number | null>('seq').as('max')).executeTakeFirstOrThrow()
  return Number(r.max ?? 0)
}
