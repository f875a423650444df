import type { FastifyRequest } from 'fastify'
import type { Config } from '../config.js'

/**
 * The address users reach the server at, for links it hands out (calendar feeds, password-reset
 * links): PUBLIC_URL when set; otherwise the address the request came by (what the user typed),
 * not a guessed localhost that another machine could not reach.
 */
export function publicUrlFor (config: Pick<Config, 'publicUrl' | 'publicUrlSet'>, request: FastifyRequest): string {
  return config.publicUrlSet ? config.publicUrl : `${request.protocol}://${request.host}`
}
