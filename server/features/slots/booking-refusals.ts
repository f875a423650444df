import type { Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'
import { AppError } from '../../errors.js'

/**
 * The refusal for a booking that is no longer live, when a conditional change (cancel, move,
 * outcome) found it so: its status read now, inside the same transaction, names which refusal
 * (on PostgreSQL the read sees the change that won the race, committed before ours re-checked).
 */
export async function notLiveRefusal (db: Transaction<Database>, bookingId: string): Promise<AppError> {
  const row = await db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirst()
  return row?.status === 'cancelled'
    ? new AppError('BOOKING_ALREADY_CANCELLED', 'This booking is already cancelled')
    : new AppError('BOOKING_CLOSED', 'This booking is closed: its outcome is recorded')
}
