import type { FastifyRequest } from 'fastify'
import type { Role } from '../../../shared/schemas/accounts.js'
import { currentUser } from '../../plugins/auth.js'
import type { AuthUser } from './session-service.js'

/** Who asks for a change, and from where (for the audit log). */
export interface Actor { id: string, role: Role, ip: string | null }

/**
 * The actor of a signed-in user acting from `ip`. Sockets pass the user as their credential
 * reads now (re-checked before each command), not as it was at the upgrade.
 */
export function actorFor (user: Pick<AuthUser, 'id' | 'role'>, ip: string | null): Actor {
  return { id: user.id, role: user.role, ip }
}

/** The actor of a request guarded by `requireRole`. */
export function actorOf (request: FastifyRequest): Actor {
  return actorFor(currentUser(request), request.ip)
}
