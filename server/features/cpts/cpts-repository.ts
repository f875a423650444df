import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Cpts } from '../../../shared/schemas/accounts.js'

export async function listCpts (db: Kysely<Database>): Promise<Cpts[]> {
  return await db.selectFrom('cpts').select(['id', 'name', 'timezone', 'finess', 'phone']).orderBy('name').execute()
}

export async function insertCpts (db: Kysely<Database>, cpts: Cpts, now: Date): Promise<void> {
  await db.insertInto('cpts').values({ ...cpts, created_at: now.toISOString() }).execute()
}

export async function findCpts (db: Kysely<Database>, id: string): Promise<Cpts | undefined> {
  return await db.selectFrom('cpts').select(['id', 'name', 'timezone', 'finess', 'phone']).where('id', '=', id).executeTakeFirst()
}

/** The zone of an instance that has no CPTS yet. */
export const DEFAULT_ZONE = 'Europe/Paris'

/** The zone in which bare dates of a query are read: the CPTS's, else the instance's first. */
export async function zoneFor (db: Kysely<Database>, cptsId: string | undefined): Promise<string> {
  let q = db.selectFrom('cpts').select('timezone')
  q = cptsId !== undefined ? q.where('id', '=', cptsId) : q.orderBy('created_at').limit(1)
  return (await q.executeTakeFirst())?.timezone ?? DEFAULT_ZONE
}
