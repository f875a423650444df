import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { forbidden, invalid } from '../../errors.js'
import { currentUser } from '../../plugins/auth.js'
import { findCpts } from '../cpts/cpts-repository.js'

/**
 * The CPTS a board read covers, for every board route (season report, calendar, calls): a
 * board account attached to a CPTS sees that CPTS only (asking for another is refused); an
 * admin, or a board account attached to none, sees the one asked for, or all (undefined).
 */
export async function boardScope (db: Kysely<Database>, request: FastifyRequest, asked: string | undefined): Promise<string | undefined> {
  const user = currentUser(request)
  let cptsId = asked
  if (user.role === 'board' && user.cptsId !== null) {
    if (cptsId !== undefined && cptsId !== user.cptsId) throw forbidden('this board account sees only its own CPTS')
    cptsId = user.cptsId
  }
  if (cptsId !== undefined && await findCpts(db, cptsId) === undefined) {
    throw invalid([{ code: 'custom', path: ['cptsId'], message: 'unknown CPTS' }])
  }
  return cptsId
}
