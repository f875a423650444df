import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

type Db = Kysely<Database>

/**
 * Up to `limit` bookings still holding patient identity, a reason or a cancel reason (which
 * often names the patient), whose slot ended before `cutoff`.
 */
export async function bookingsWithPatientDataBefore (db: Db, cutoff: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('bookings').innerJoin('slots', 'slots.id', 'bookings.slot_id')
    .select('bookings.id')
    .where('slots.end_at', '<', cutoff)
    .where((eb) => eb.or([
      eb('bookings.patient_last_name', 'is not', null),
      eb('bookings.patient_first_name', 'is not', null),
      eb('bookings.patient_birth_date', 'is not', null),
      eb('bookings.patient_phone', 'is not', null),
      eb('bookings.reason', 'is not', null),
      eb('bookings.cancel_reason', 'is not', null)
    ]))
    .orderBy('bookings.id').limit(limit).execute()
  return rows.map((r) => r.id)
}

/** Erases the patient fields of these bookings; the booking itself (slot, times, outcome, treating-GP answer) stays. */
export async function erasePatientData (db: Db, bookingIds: readonly string[]): Promise<number> {
  if (bookingIds.length === 0) return 0
  const r = await db.updateTable('bookings').set({
    patient_last_name: null, patient_first_name: null, patient_birth_date: null, patient_phone: null, reason: null, cancel_reason: null
  }).where('id', 'in', [...bookingIds]).executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/**
 * Deletes up to `limit` audit entries older than `before` and not after `upToSeq` in the chain, oldest first. The audit log's DELETE
 * trigger refuses any row not below the bound of `audit_purge_window`: the bound is set for
 * this statement and cleared again, all in the caller's transaction (`trx`), so that it is never
 * seen set by anyone else.
 */
export async function deleteAuditEntriesBefore (trx: Db, before: string, limit: number, upToSeq = Number.MAX_SAFE_INTEGER): Promise<number> {
  await trx.updateTable('audit_purge_window').set({ before_at: before }).where('id', '=', 1).execute()
  // Only a prefix of the hash chain goes (seq ≤ upToSeq): never a hole in its middle (audit-chain.ts).
  const oldest = trx.selectFrom('audit_log').select('id').where('at', '<', before)
    .where((eb) => eb.or([eb('chain_seq', 'is', null), eb('chain_seq', '<=', upToSeq)])).orderBy('id').limit(limit)
  const r = await trx.deleteFrom('audit_log').where('id', 'in', oldest).executeTakeFirst()
  await trx.updateTable('audit_purge_window').set({ before_at: null }).where('id', '=', 1).execute()
  return Number(r.numDeletedRows)
}
