import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely'

/** How long a write waits, without blocking, for another connection's write to commit (a season import in its worker). */
export const BUSY_WAIT_MS = 120_000

const isBusy = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT'
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The longest pause between two attempts. Short: another connection's writer (the season
 * import's steps) leaves the lock free for a little longer than this between its transactions,
 * and a waiting write must try within that gap. An attempt that meets the lock costs microseconds.
 */
export const BUSY_MAX_PAUSE_MS = 10

/** Runs `attempt` again after a short pause while SQLite answers SQLITE_BUSY, up to BUSY_WAIT_MS. */
async function whileBusy<T> (attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS
  for (let pause = 2; ; pause = Math.min(pause * 2, BUSY_MAX_PAUSE_MS)) {
    try {
      return await attempt()
    } catch (err) {
      if (!isBusy(err) || Date.now() + pause > deadline) throw err
      await sleep(pause)
    }
  }
}

/** Wraps one connection: a statement outside a transaction that met SQLITE_BUSY did nothing, so it is tried again. */
class BusyWaitConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection
  inTransaction = false
  constructor (inner: DatabaseConnection) { this.inner = inner }

  async executeQuery<R> (query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return await this.inner.executeQuery<R>(query)
    return await whileBusy(() => this.inner.executeQuery<R>(query))
  }

  streamQuery<R> (query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize)
  }
}

/**
 * The main connection never blocks the event loop on a lock (`busy_timeout = 0`): a transaction
 * (but a read-only one) starts with `BEGIN IMMEDIATE`, which takes the write lock before any work, and when another
 * connection holds it (the season import's worker) it is asked again after a pause, on a timer.
 * Reads go on meanwhile (WAL). Transactions of this connection still run one at a time.
 */
class BusyWaitDriver implements Driver {
  readonly #inner: Driver
  readonly #wrapped = new WeakMap<DatabaseConnection, BusyWaitConnection>()
  constructor (inner: Driver) { this.#inner = inner }

  async init (): Promise<void> { await this.#inner.init() }

  async acquireConnection (): Promise<DatabaseConnection> {
    const c = await this.#inner.acquireConnection()
    let w = this.#wrapped.get(c)
    if (w === undefined) { w = new BusyWaitConnection(c); this.#wrapped.set(c, w) }
    return w
  }

  async beginTransaction (connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as BusyWaitConnection
    // A read-only transaction (a report) takes no lock: WAL gives it a snapshot at its first read.
    const begin = settings.accessMode === 'read only' ? 'begin' : 'begin immediate'
    await whileBusy(() => c.inner.executeQuery(CompiledQuery.raw(begin)))
    c.inTransaction = true
  }

  async commitTransaction (connection: DatabaseConnection): Promise<void> {
    const c = connection as BusyWaitConnection
    await c.inner.executeQuery(CompiledQuery.raw('commit'))
    c.inTransaction = false
  }

  async rollbackTransaction (connection: DatabaseConnection): Promise<void> {
    const c = connection as BusyWaitConnection
    c.inTransaction = false
    await c.inner.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection (connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection((connection as BusyWaitConnection).inner)
  }

  async destroy (): Promise<void> { await this.#inner.destroy() }
}

/** kysely's SQLite dialect with the driver above. */
export class BusyWaitSqliteDialect extends SqliteDialect {
  override createDriver (): Driver {
    return new BusyWaitDriver(super.createDriver())
  }
}
