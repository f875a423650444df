import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Role } from '../../shared/schemas/accounts.js'
import { withRppsKey } from '../../shared/rpps.js'
import { ADMIN, signIn } from './build.js'

export const PASSWORD = 'correct-horse-battery'

export interface Territory {
  adminCookie: string
  cpts: { id: string, name: string, timezone: string }[]
  users: Record<'gp' | 'gp2' | 'psy' | 'regulator' | 'board', { id: string, email: string, cookie: string, rpps?: string }>
}

export function practitionerProfile (n: number, profession: 'gp' | 'psychiatrist' = 'gp') {
  return {
    rpps: withRppsKey(String(1000000000 + n)),
    profession,
    address: `${n} rue de la Plage`,
    postalCode: '85160',
    commune: 'Saint-Jean-de-Monts',
    phone: '02 51 58 00 ' + String(n % 100).padStart(2, '0')
  }
}

async function post (app: FastifyInstance, cookie: string, url: string, payload: unknown): Promise<any> {
  const res = await app.inject({ method: 'POST', url, payload: payload as object, headers: { cookie } })
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Two CPTS of the Vendée coast and one account of each role (two GPs, one psychiatrist). */
export async function territory (app: FastifyInstance): Promise<Territory> {
  const adminCookie = await signIn(app, ADMIN.email, ADMIN.password)
  const c1 = await post(app, adminCookie, '/api/cpts', { name: 'CPTS Côte de Lumière' })
  const c2 = await post(app, adminCookie, '/api/cpts', { name: 'CPTS Pays de Monts', timezone: 'Europe/Paris' })
  const specs = {
    gp: { role: 'practitioner', cptsId: c1.id, practitioner: practitionerProfile(1) },
    gp2: { role: 'practitioner', cptsId: c2.id, practitioner: practitionerProfile(2) },
    psy: { role: 'practitioner', cptsId: c1.id, practitioner: practitionerProfile(3, 'psychiatrist') },
    regulator: { role: 'regulator' },
    board: { role: 'board', cptsId: c1.id }
  } as const
  const users = {} as Territory['users']
  for (const [key, spec] of Object.entries(specs) as Array<[keyof typeof specs, (typeof specs)[keyof typeof specs]]>) {
    const email = `${key}@cpts.test`
    const { user } = await post(app, adminCookie, '/api/users', { email, name: `Dr ${key}`, password: PASSWORD, ...spec })
    users[key] = { id: user.id, email, cookie: await signIn(app, email, PASSWORD), rpps: user.practitioner?.rpps }
  }
  return { adminCookie, cpts: [c1, c2], users }
}

/** The tables of the accounts foundation; later issues add theirs to the lists they count. */
export const ACCOUNT_TABLES = ['cpts', 'users', 'practitioners', 'sessions', 'api_tokens', 'audit_log'] as const

/** Row counts per table, to assert that a refused request wrote nothing. */
export async function countRows (db: Kysely<Database>, tables: ReadonlyArray<keyof Database> = ACCOUNT_TABLES): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    counts[table] = Number(r.n)
  }
  return counts
}

/** The territory account that plays `role` (the first GP for `practitioner`). */
export function accountOf (terr: Territory, role: Role): { cookie: string, email: string } {
  switch (role) {
    case 'admin': return { cookie: terr.adminCookie, email: ADMIN.email }
    case 'practitioner': return terr.users.gp
    case 'regulator': return terr.users.regulator
    case 'board': return terr.users.board
  }
}

/** Creates a bearer token through the API for the account behind `cookie`. */
export async function bearerToken (app: FastifyInstance, cookie: string, label = 'tests'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/tokens', payload: { label }, headers: { cookie } })
  if (res.statusCode !== 201) throw new Error(`/api/tokens: ${res.statusCode} ${res.body}`)
  return res.json().token
}

/** Publishes one slot through the API as the practitioner behind `cookie`; throws unless 201. */
export async function publishSlot (app: FastifyInstance, cookie: string, start: string, end: string, kind = 'snp'): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie }, payload: { start, end, kind, mode: 'office' } })
  if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Creates a regulator account `<key>@cpts.test` as the admin and signs it in. */
export async function addRegulator (app: FastifyInstance, adminCookie: string, key: string): Promise<{ id: string, cookie: string }> {
  const email = `${key}@cpts.test`
  const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: adminCookie }, payload: { email, name: `Régulateur ${key}`, password: PASSWORD, role: 'regulator' } })
  if (res.statusCode !== 201) throw new Error(`create regulator: ${res.statusCode} ${res.body}`)
  return { id: res.json().user.id as string, cookie: await signIn(app, email, PASSWORD) }
}
