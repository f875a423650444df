import type { FastifyInstance } from 'fastify'
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
