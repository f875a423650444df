import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { LIVE_CLOSE } from '../../../shared/schemas/live.js'
import type { Clock } from '../../clock.js'
import { type AuthUser, userFromCredential, usersOfCredentials } from '../session/session-service.js'
import { closeSocket } from './close-socket.js'
import type { LiveClient } from './live-hub.js'

/**
 * An open socket is only as good as the credential it was opened with. Every command is
 * checked against that credential as it is now (one indexed read), and `sweep()` closes every
 * socket whose credential has ended — signed out, expired, revoked, account disabled or given
 * another role — with `LIVE_CLOSE.credentialEnded`, which the pages show in French.
 */
export class LiveCredentials {
  readonly #db: Kysely<Database>
  readonly #clock: Clock
  readonly #clients: () => Iterable<LiveClient>
  #sweeping: Promise<number> | null = null
  #again = false

  constructor (db: Kysely<Database>, clock: Clock, clients: () => Iterable<LiveClient>) {
    this.#db = db
    this.#clock = clock
    this.#clients = clients
  }

  /** The user behind the socket now, or null when its credential has ended (then `end()` it). */
  async current (client: LiveClient): Promise<AuthUser | null> {
    const user = await userFromCredential(this.#db, client.credential, this.#clock.now())
    return user !== null && user.id === client.userId && user.role === client.role ? user : null
  }

  /** Closes a socket whose credential has ended, with the code the pages explain. */
  end (client: LiveClient): void {
    endSocket(client)
  }

  /** Checks every open socket at once (one read per 500 credentials); resolves to how many were closed. */
  sweep (): Promise<number> {
    // A sweep asked for while one runs runs again after it: a sign-out during a read is not missed.
    if (this.#sweeping !== null) {
      this.#again = true
      return this.#sweeping
    }
    const run = async (): Promise<number> => {
      let closed = 0
      do {
        this.#again = false
        const clients = [...this.#clients()]
        if (clients.length === 0) break
        const valid = await usersOfCredentials(this.#db, clients.map((c) => c.credential), this.#clock.now())
        for (const c of clients) {
          const user = valid.get(c.credential.hash)
          if (user === undefined || user.id !== c.userId || user.role !== c.role) {
            endSocket(c)
            closed++
          }
        }
      } while (this.#again)
      return closed
    }
    this.#sweeping = run().finally(() => { this.#sweeping = null })
    return this.#sweeping
  }
}

function endSocket (client: LiveClient): void {
  if (client.socket.readyState === client.socket.OPEN) closeSocket(client.socket, LIVE_CLOSE.credentialEnded, 'credential ended')
}
