import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { withAdvisoryLock } from '../db/advisory-lock.js'
import type { Database } from '../db/types.js'
import { CreateUserBody } from '../shared/schemas/accounts.js'
import { countUsers } from './features/users/users-repository.js'
import { createUser } from './features/users/users-service.js'

export interface BootstrapResult {
  email: string
  /** Set only when the password was generated: it is printed once and never stored in clear. */
  generatedPassword: string | null
}

/**
 * On an empty database, creates the first admin: from ADMIN_EMAIL and ADMIN_PASSWORD when both
 * are set, otherwise admin@localhost with a random password. Returns null when accounts exist.
 * Instances started at once on one PostgreSQL schema take turns (withAdvisoryLock): one creates it.
 */
export async function bootstrapAdmin (db: Kysely<Database>, env: { adminEmail?: string | undefined, adminPassword?: string | undefined }, now: Date): Promise<BootstrapResult | null> {
  return await withAdvisoryLock(db, 'start', async () => await createFirstAdmin(db, env, now))
}

async function createFirstAdmin (db: Kysely<Database>, env: { adminEmail?: string | undefined, adminPassword?: string | undefined }, now: Date): Promise<BootstrapResult | null> {
  if (await countUsers(db) > 0) return null
  const fromEnv = env.adminEmail !== undefined && env.adminPassword !== undefined
  const generated = fromEnv ? null : randomBytes(12).toString('base64url')
  const body = CreateUserBody.safeParse({
    email: fromEnv ? env.adminEmail : 'admin@localhost',
    password: fromEnv ? env.adminPassword : generated,
    name: 'Administrateur',
    role: 'admin'
  })
  if (!body.success) {
    throw new Error('ADMIN_EMAIL / ADMIN_PASSWORD are not valid: ' + body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  }
  await createUser(db, body.data, { id: null, ip: null }, now)
  return { email: body.data.email, generatedPassword: generated }
}
