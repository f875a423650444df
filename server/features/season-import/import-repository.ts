/**
 * What the season import reads from the database: the practitioners by RPPS, and the slots
 * already in the calendar that a file's slots could overlap.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'
import { overlappingSlots } from '../slots/overlap-rule.js'
import { lockAccounts } from '../slots/slot-repository.js'
import type { ImportPractitioner } from './season-import.js'

/** Practitioners per query (an IN list): well under SQLite's parameter limit. */
const IDS_PER_QUERY = 500

/** Every practitioner by RPPS, with the zone of their CPTS and their home place. */
export async function practitionersByRpps (db: Kysely<Database>): Promise<Map<string, ImportPractitioner>> {
  const rows = await db.selectFrom('practitioners')
    .innerJoin('users', 'users.id', 'practitioners.user_id')
    .leftJoin('cpts', 'cpts.id', 'users.cpts_id')
    .innerJoin('practitioner_places as home', (j) => j.onRef('home.practitioner_id', '=', 'users.id').on('home.is_home', '=', 1))
    .select(['practitioners.rpps', 'practitioners.profession', 'users.id', 'users.cpts_id', 'cpts.timezone', 'home.id as home_place_id'])
    .execute()
  return new Map(rows.map((r) => [r.rpps, { id: r.id, cptsId: r.cpts_id, zone: r.timezone, profession: r.profession, homePlaceId: r.home_place_id }]))
}

/**
 * The calendar's slots that take time (overlap-rule.ts) of the practitioners of these slots,
 * within their span, by practitioner and sorted by start (UTC ISO). A practitioner's own slots
 * never overlap: sorted by start, they are sorted by end too. Their accounts are locked first
 * (lockAccounts): no other write of their slots, on any instance, slips in until the
 * transaction ends.
 */
export async function takenTimesOf (db: Transaction<Database>, slots: ReadonlyArray<{ practitionerId: string, start: Date, end: Date }>): Promise<Map<string, Array<{ start: string, end: string }>>> {
  const existing = new Map<string, Array<{ start: string, end: string }>>()
  if (slots.length === 0) return existing
  const ids = [...new Set(slots.map((l) => l.practitionerId))]
  await lockAccounts(db, ids)
  const minStart = new Date(Math.min(...slots.map((l) => l.start.getTime()))).toISOString()
  const maxEnd = new Date(Math.max(...slots.map((l) => l.end.getTime()))).toISOString()
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await overlappingSlots(db, ids.slice(i, i + IDS_PER_QUERY), minStart, maxEnd)
      .select(['practitioner_id', 'start_at', 'end_at']).orderBy('start_at').execute()
    for (const r of rows) {
      const list = existing.get(r.practitioner_id)
      if (list === undefined) existing.set(r.practitioner_id, [{ start: r.start_at, end: r.end_at }])
      else list.push({ start: r.start_at, end: r.end_at })
    }
  }
  return existing
}
