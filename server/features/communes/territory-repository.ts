import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

/**
 * The communes (INSEE codes) where the active practitioners who are members of one CPTS practise
 * (every active place of theirs, wherever it lies), or those of every CPTS of the instance when
 * `cptsId` is null: the territory a commune search starts from.
 */
export async function practiceCommuneCodes (db: Kysely<Database>, cptsId: string | null): Promise<string[]> {
  let q = db.selectFrom('practitioner_places')
    .innerJoin('users', 'users.id', 'practitioner_places.practitioner_id')
    .select('practitioner_places.commune_code').distinct()
    .where('users.disabled_at', 'is', null)
    .where('practitioner_places.archived_at', 'is', null)
  if (cptsId !== null) {
    q = q.where((eb) => eb.exists(eb.selectFrom('cpts_memberships').select('cpts_memberships.cpts_id')
      .whereRef('cpts_memberships.practitioner_id', '=', 'users.id').where('cpts_memberships.cpts_id', '=', cptsId)))
  }
  return (await q.execute()).map((r) => r.commune_code)
}
