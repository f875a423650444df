import type { Kysely } from 'kysely'
import type { Database, PractitionerRow, UserRow } from '../../../db/types.js'
import { activePlaces, membershipsOf, type PlaceRow } from '../places/places-repository.js'

/** An account, its practitioner profile if any, with their active places (home first) and CPTS memberships. */
export type UserWithProfile = UserRow & { practitioner: PractitionerRow | null, places: PlaceRow[], memberships: string[] }

const withProfile = (db: Kysely<Database>) => db.selectFrom('users')
  .leftJoin('practitioners', 'practitioners.user_id', 'users.id')
  .selectAll('users')
  .select(['practitioners.rpps', 'practitioners.profession', 'practitioners.address', 'practitioners.postal_code',
    'practitioners.commune', 'practitioners.commune_code', 'practitioners.phone', 'practitioners.structure_id'])

type Joined = Awaited<ReturnType<ReturnType<typeof withProfile>['executeTakeFirstOrThrow']>>

function split (r: Joined): Omit<UserWithProfile, 'places' | 'memberships'> {
  const { rpps, profession, address, postal_code, commune, commune_code, phone, structure_id, ...user } = r
  return {
    ...user,
    practitioner: rpps === null || profession === null
      ? null
      : { user_id: user.id, rpps, profession, address: address ?? '', postal_code: postal_code ?? '', commune: commune ?? '', commune_code: commune_code ?? '', phone: phone ?? '', structure_id }
  }
}

/** Adds their places and memberships to accounts (two reads, whatever their number). */
async function withPlaces (db: Kysely<Database>, users: Array<Omit<UserWithProfile, 'places' | 'memberships'>>, all: boolean): Promise<UserWithProfile[]> {
  const ids = all ? undefined : users.filter((u) => u.practitioner !== null).map((u) => u.id)
  const places = new Map<string, PlaceRow[]>()
  for (const p of await activePlaces(db, ids)) places.set(p.practitioner_id, [...(places.get(p.practitioner_id) ?? []), p])
  const memberships = await membershipsOf(db, ids)
  return users.map((u) => ({ ...u, places: places.get(u.id) ?? [], memberships: memberships.get(u.id) ?? [] }))
}

export async function findUser (db: Kysely<Database>, id: string): Promise<UserWithProfile | undefined> {
  const r = await withProfile(db).where('users.id', '=', id).executeTakeFirst()
  return r === undefined ? undefined : (await withPlaces(db, [split(r)], false))[0]
}

export async function listUsers (db: Kysely<Database>): Promise<UserWithProfile[]> {
  const rows = await withProfile(db).orderBy('users.role').orderBy('users.name').execute()
  return await withPlaces(db, rows.map(split), true)
}

export async function countUsers (db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(r.n)
}
