/**
 * What the season import reads from the database: the practitioners by RPPS, and the slots
 * already in the calendar that a file's slots could overlap.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'
import { overlappingSlots } from '../slots/overlap-rule.js'
import { lockAccounts } from '../slots/slot-repository.js'
import { foldName } from '../../lib/fold-name.js'
import type { ImportCpts, ImportPractitioner } from './season-import.js'

/** Practitioners per query (an IN list): well under SQLite's parameter limit. */
const IDS_PER_QUERY = 500

/**
 * Every practitioner by RPPS, with the zone of their home CPTS, their home place, their active
 * places by folded label and the CPTS they are members of (a few thousand rows of each: three
 * reads, no join per line).
 */
export async function practitionersByRpps (db: Kysely<Database>): Promise<Map<string, ImportPractitioner>> {
  const rows = await db.selectFrom('practitioners')
    .innerJoin('users', 'users.id', 'practitioners.user_id')
    .leftJoin('cpts', 'cpts.id', 'users.cpts_id')
    .innerJoin('practitioner_places as home', (j) => j.onRef('home.practitioner_id', '=', 'users.id').on('home.is_home', '=', 1))
    .select(['practitioners.rpps', 'practitioners.profession', 'users.id', 'users.cpts_id', 'cpts.timezone', 'home.id as home_place_id'])
    .execute()
  const places = new Map<string, Map<string, string>>()
  for (const p of await db.selectFrom('practitioner_places').where('archived_at', 'is', null).select(['id', 'practitioner_id', 'label']).execute()) {
    const byLabel = places.get(p.practitioner_id) ?? new Map<string, string>()
    byLabel.set(foldName(p.label), p.id)
    places.set(p.practitioner_id, byLabel)
  }
  const memberships = new Map<string, ImportCpts[]>()
  for (const m of await db.selectFrom('cpts_memberships').innerJoin('cpts', 'cpts.id', 'cpts_memberships.cpts_id')
    .select(['cpts_memberships.practitioner_id', 'cpts.id', 'cpts.name', 'cpts.finess', 'cpts.timezone']).orderBy('cpts.id').execute()) {
    const list = memberships.get(m.practitioner_id) ?? []
    list.push({ id: m.id, name: m.name, finess: m.finess, zone: m.timezone })
    memberships.set(m.practitioner_id, list)
  }
  return new Map(rows.map((r) => [r.rpps, {
    id: r.id,
    cptsId: r.cpts_id,
    zone: r.timezone,
    profession: r.profession,
    homePlaceId: r.home_place_id,
    places: places.get(r.id) ?? new Map(),
    memberships: memberships.get(r.id) ?? []
  }]))
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
