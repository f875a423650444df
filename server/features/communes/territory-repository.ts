import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

/**
 * The communes (INSEE codes) where the active practitioners of one CPTS practise, or of every
 * CPTS of the instance when `cptsId` is null: the territory a commune search starts from.
 */
export async function practiceCommuneCodes (db: Kysely<Database>, cptsId: string | null): Promise<string[]> {
  let q = db.selectFrom('practitioners')
    .innerJoin('users', 'users.id', 'practitioners.user_id')
    .select('practitioners.commune_code').distinct()
    .where('users.disabled_at', 'is', null)
  if (cptsId !== null) q = q.where('users.cpts_id', '=', cptsId)
  return (await q.execute()).map((r) => r.commune_code)
}
