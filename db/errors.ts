/**
 * The column (`table.column`) whose unique constraint or index `err` broke, on either engine;
 * null for any other error. better-sqlite3 says `UNIQUE constraint failed: users.email`;
 * pg gives SQLSTATE 23505 with the table and a detail `Key (email)=(…) already exists.`
 */
export function uniqueViolation (err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null
  const e = err as { code?: unknown, message?: unknown, table?: unknown, detail?: unknown }
  if (e.code === '23505') {
    const column = typeof e.detail === 'string' ? /^Key \(([^)]+)\)=/.exec(e.detail)?.[1] : undefined
    return typeof e.table === 'string' && column !== undefined ? `${e.table}.${column}` : null
  }
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT') && typeof e.message === 'string') {
    return /UNIQUE constraint failed: ([\w.]+)/.exec(e.message)?.[1] ?? null
  }
  return null
}

/**
 * True when PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01): nothing
 * of it was committed, and running it again is the documented remedy. SQLite has one writer
 * and never deadlocks.
 */
export function isDeadlock (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '40P01'
}
