import type { Kysely } from 'kysely'
import type { Database, PractitionerRow, UserRow } from '../../../db/types.js'

export type UserWithProfile = UserRow & { practitioner: PractitionerRow | null }

const withProfile = (db: Kysely<Database>) => db.selectFrom('users')
  .leftJoin('practitioners', 'practitioners.user_id', 'users.id')
  .selectAll('users')
  .select(['practitioners.rpps', 'practitioners.profession', 'practitioners.address', 'practitioners.postal_code',
    'practitioners.commune', 'practitioners.commune_code', 'practitioners.phone', 'practitioners.structure_id'])

type Joined = Awaited<ReturnType<ReturnType<typeof withProfile>['executeTakeFirstOrThrow']>>

function split (r: Joined): UserWithProfile {
  const { rpps, profession, address, postal_code, commune, commune_code, phone, structure_id, ...user } = r
  return {
    ...user,
    practitioner: rpps === null || profession === null
      ? null
      : { user_id: user.id, rpps, profession, address: address ?? '', postal_code: postal_code ?? '', commune: commune ?? '', commune_code: commune_code ?? '', phone: phone ?? '', structure_id }
  }
}

export async function findUser (db: Kysely<Database>, id: string): Promise<UserWithProfile | undefined> {
  const r = await withProfile(db).where('users.id', '=', id).executeTakeFirst()
  return r === undefined ? undefined : split(r)
}

export async function listUsers (db: Kysely<Database>): Promise<UserWithProfile[]> {
  const rows = await withProfile(db).orderBy('users.role').orderBy('users.name').execute()
  return rows.map(split)
}

export async function countUsers (db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(r.n)
}
