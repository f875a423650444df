import type { FastifyInstance } from 'fastify'

/** Tomorrow in the tests' time (T0 is 2026-06-01 10:00 in Paris). */
export const TOMORROW = '2026-06-02'

/** A patient on the waiting list; their names and phone must never reach anyone but regulators. */
export const WAITING_PATIENT = { lastName: 'Lebreton', firstName: 'Maëlle', birthDate: '1988-03-04', phone: '06 71 72 73 74' }
export const WAITING_REASON = 'Otite persistante depuis trois jours'

/** INSEE codes around the fixtures' practices (Saint-Jean-de-Monts, 85234). */
export const COMMUNES = {
  /** Saint-Jean-de-Monts: the practices' commune. */
  same: '85234',
  /** Notre-Dame-de-Monts: same intercommunality. */
  epci: '85164',
  /** La Roche-sur-Yon: same département, another intercommunality. */
  dept: '85191',
  /** Nantes: another département. */
  far: '44109'
} as const

export async function call (app: FastifyInstance, cookie: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object): Promise<{ status: number, json: any }> {
  const res = await app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload } : {}) })
  return { status: res.statusCode, json: res.body === '' ? undefined : res.json() }
}

export function requestBody (over: Record<string, unknown> = {}): Record<string, unknown> {
  return { communeCode: COMMUNES.same, kind: 'snp', modes: ['office'], until: '2026-06-03', patient: WAITING_PATIENT, reason: WAITING_REASON, hasTreatingGp: 'no', ...over }
}

/** Puts a patient on the list as the regulator behind `cookie`; throws unless 201. */
export async function addRequest (app: FastifyInstance, cookie: string, over: Record<string, unknown> = {}): Promise<any> {
  const r = await call(app, cookie, 'POST', '/api/waiting-list', requestBody(over))
  if (r.status !== 201) throw new Error(`waiting list: ${r.status} ${JSON.stringify(r.json)}`)
  return r.json
}

/** Publishes one slot of `minutes` from `start` (ISO), as the practitioner behind `cookie`. */
export async function publishAt (app: FastifyInstance, cookie: string, start: string, over: Record<string, unknown> = {}, minutes = 15): Promise<any> {
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString()
  const r = await call(app, cookie, 'POST', '/api/slots', { start, end, kind: 'snp', mode: 'office', ...over })
  if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.json)}`)
  return r.json
}
