import fp from 'fastify-plugin'
import type { Db } from '../../db/connection.js'
import type { Clock } from '../clock.js'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    clock: Clock
    config: Config
  }
}

export interface ContextOptions { db: Db, clock: Clock, config: Config }

/** Makes the database, the clock and the settings reachable from every plugin. */
export default fp<ContextOptions>(async (app, opts) => {
  app.decorate('db', opts.db)
  app.decorate('clock', opts.clock)
  app.decorate('config', opts.config)
}, { name: 'context' })
