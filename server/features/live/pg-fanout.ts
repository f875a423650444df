import type pg from 'pg'
import type { Kysely } from 'kysely'
import { backendPidsOf, loadPg } from '../../../db/postgres.js'
import type { Database } from '../../../db/types.js'
import { EVENT_CHANNEL } from '../slots/event-log.js'

/** What the fan-out tells the live hub. */
export interface FanoutHub {
  /** `seq` has committed; `fromHere`: by this server's own pool. */
  notified: (seq: number, fromHere: boolean) => void
  /** Read the log after the last seq sent (after a reconnect: whatever was missed). */
  poke: () => void
}

export interface FanoutLog {
  info: (msg: string) => void
  warn: (msg: string) => void
}

export interface PgFanoutOptions {
  /** The database's URL (with its `search_path`): the listening connection opens it too. */
  url: string
  /** The server's pool: notifications sent by its connections are its own commits. */
  db: Kysely<Database>
  hub: FanoutHub
  log: FanoutLog
  /** First wait before reconnecting, doubled up to `retryMaxMs` (default 100 ms → 5 s). */
  retryFirstMs?: number
  retryMaxMs?: number
  /** A `SELECT 1` on the listening connection this often finds a connection that died silently (default 10 s). */
  heartbeatMs?: number
}

const CONNECT_TIMEOUT_MS = 5_000
const QUERY_TIMEOUT_MS = 5_000

/**
 * Cross-instance fan-out of the event log on PostgreSQL. Each writing transaction sends
 * `pg_notify(channel, seq)` (appendEvent), delivered on commit only; this holds one dedicated
 * connection that LISTENs on the schema's channel and tells the hub every seq. The event table
 * stays the replay log: the notification says only "seq N has committed", and the hub reads what
 * it lacks from the log, so a lost connection loses nothing: on reconnect (with backoff), the
 * hub reads the log after its last seq.
 */
export class PgFanout {
  readonly #o: Required<PgFanoutOptions>
  #client: pg.Client | null = null
  #channel: string | null = null
  #closed = false
  #delay: number
  #retryTimer: NodeJS.Timeout | undefined
  #heartbeat: NodeJS.Timeout | undefined
  #listening = false

  constructor (opts: PgFanoutOptions) {
    this.#o = { retryFirstMs: 100, retryMaxMs: 5_000, heartbeatMs: 10_000, ...opts }
    this.#delay = this.#o.retryFirstMs
  }

  /** Whether the listening connection is up. */
  get listening (): boolean { return this.#listening }

  /** The server process of the listening connection (tests end it to check the reconnect). */
  get backendPid (): number | null {
    return this.#client === null ? null : (this.#client as unknown as { processID: number | null }).processID
  }

  /** Connects and LISTENs; should that fail, it keeps trying in the background (resolves either way). */
  async start (): Promise<void> {
    await this.#connect()
  }

  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retryTimer)
    clearInterval(this.#heartbeat)
    const client = this.#client
    this.#client = null
    this.#listening = false
    await client?.end().catch(() => {})
  }

  async #connect (): Promise<void> {
    if (this.#closed) return
    const client = new (loadPg().Client)({
      connectionString: this.#o.url,
      application_name: 'creneaux-listen',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true
    })
    this.#client = client
    client.on('error', (err) => { this.#lost(client, err) })
    client.on('end', () => { this.#lost(client, new Error('connection ended')) })
    client.on('notification', (m) => {
      if (m.channel !== this.#channel || client !== this.#client) return
      const seq = Number(m.payload)
      if (Number.isSafeInteger(seq)) this.#o.hub.notified(seq, backendPidsOf(this.#o.db).has(m.processId))
    })
    try {
      await client.connect()
      // The channel as the writers compute it, from this connection's own search_path.
      const { rows } = await client.query<{ channel: string }>(`SELECT ${EVENT_CHANNEL.compile(this.#o.db).sql} AS channel`)
      const channel = rows[0]?.channel
      if (channel === undefined || !/^[a-z0-9_]+$/.test(channel)) throw new Error(`unexpected channel name ${String(channel)}`)
      this.#channel = channel
      await client.query(`LISTEN ${channel}`)
    } catch (err) {
      this.#lost(client, err)
      return
    }
    if (client !== this.#client) return // lost or closed meanwhile
    const wasDown = this.#delay > this.#o.retryFirstMs
    this.#listening = true
    this.#delay = this.#o.retryFirstMs
    if (wasDown) this.#o.log.info('live fan-out: listening again on PostgreSQL')
    clearInterval(this.#heartbeat)
    this.#heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => { this.#lost(client, err) })
    }, this.#o.heartbeatMs)
    this.#heartbeat.unref()
    // Whatever committed before the LISTEN, or while the connection was down, is in the log.
    this.#o.hub.poke()
  }

  /** The listening connection failed or ended: drop it and connect again after a while. */
  #lost (client: pg.Client, err: unknown): void {
    if (client !== this.#client) return
    this.#client = null
    this.#listening = false
    clearInterval(this.#heartbeat)
    client.end().catch(() => {})
    if (this.#closed) return
    const wait = this.#delay
    this.#delay = Math.min(this.#o.retryMaxMs, this.#delay * 2)
    this.#o.log.warn(`live fan-out: PostgreSQL listening connection lost (${err instanceof Error ? err.message : String(err)}); retrying in ${wait} ms`)
    this.#retryTimer = setTimeout(() => { void this.#connect() }, wait)
    this.#retryTimer.unref()
  }
}
