import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Cpts } from '../../../shared/schemas/accounts.js'

export async function listCpts (db: Kysely<Database>): Promise<Cpts[]> {
  return await db.selectFrom('cpts').select(['id', 'name', 'timezone', 'finess']).orderBy('name').execute()
}

export async function findCpts (db: Kysely<Database>, id: string): Promise<Cpts | undefined> {
  return await db.selectFrom('cpts').select(['id', 'name', 'timezone', 'finess']).where('id', '=', id).executeTakeFirst()
}
