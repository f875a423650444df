// Issue 23, item 2: SQLite statements prepared once, kept by SQL text (db/statement-cache.ts).
// The answers are the same as without the cache; a statement busy in an iterator is never run
// twice at once; the cache stays bounded; schema changes (migrations) still read right.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import t from 'tap'
import { sql } from 'kysely'
import { openSqlite, statementCacheOf } from '../db/connection.js'
import { migrateToLatest } from '../db/migrate.js'
import { migrations } from '../db/migrations/index.js'
import { StatementCache } from '../db/statement-cache.js'

function memory (max: number): { cache: StatementCache, raw: SQLite.Database } {
  const raw = new SQLite(':memory:')
  raw.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES ('a'), ('b'), ('c')")
  return { cache: new StatementCache(raw, max), raw }
}

t.test('the same SQL is prepared once and answers as before', async (t) => {
  const { cache } = memory(10)
  const q = 'SELECT name FROM t WHERE id > ? ORDER BY id'
  const first = cache.prepare(q)
  t.same(first.all([1]), [{ name: 'b' }, { name: 'c' }])
  t.equal(cache.prepare(q), first, 'the kept statement comes back')
  t.same(cache.prepare(q).all([2]), [{ name: 'c' }], 'with the parameters of this run')
  t.equal(cache.misses, 1, 'prepared once')
  const insert = cache.prepare('INSERT INTO t (name) VALUES (?) RETURNING id')
  t.equal(insert.reader, true, 'a statement that returns rows reads (kysely runs it with all())')
  t.equal(cache.prepare('UPDATE t SET name = ? WHERE id = ?').reader, false, 'one that returns none does not')
  t.same(insert.all(['d']), [{ id: 4 }])
  t.same(cache.prepare('INSERT INTO t (name) VALUES (?) RETURNING id').all(['e']), [{ id: 5 }], 'again, kept')
  cache.close()
})

t.test('a statement busy in an iterator is not run again meanwhile: the same SQL gets a fresh one', async (t) => {
  const { cache } = memory(10)
  const q = 'SELECT id, name FROM t ORDER BY id'
  const seen: Array<[number, number]> = []
  for (const row of cache.prepare(q).iterate([]) as IterableIterator<{ id: number }>) {
    // The same SQL while the first statement is still stepping (kysely's streamQuery does this).
    seen.push([row.id, cache.prepare(q).all([]).length])
  }
  t.same(seen, [[1, 3], [2, 3], [3, 3]], 'both runs read every row')
  t.equal(cache.misses, 4, 'the busy statement was passed over three times')
  t.equal(cache.size, 1, 'the fresh ones were not kept')
  t.same(cache.prepare(q).all([]).map((r: any) => r.id), [1, 2, 3], 'the kept one runs again once its iterator is done')
  t.equal(cache.misses, 4)
  cache.close()
})

t.test('the cache is bounded and drops the least recently used', async (t) => {
  const { cache } = memory(3)
  const q = (n: number): string => `SELECT ${n} AS n`
  for (const n of [1, 2, 3]) cache.prepare(q(n))
  cache.prepare(q(1)) // 1 is now the most recently used
  cache.prepare(q(4)) // drops 2
  t.equal(cache.size, 3)
  const misses = cache.misses
  cache.prepare(q(1))
  cache.prepare(q(3))
  t.equal(cache.misses, misses, '1 and 3 are still kept')
  cache.prepare(q(2))
  t.equal(cache.misses, misses + 1, '2 was dropped, prepared again')
  for (let n = 10; n < 100; n++) cache.prepare(q(n))
  t.equal(cache.size, 3, 'never more than its bound')
  const none = memory(0).cache
  none.prepare(q(1))
  none.prepare(q(1))
  t.same([none.size, none.misses], [0, 2], 'a bound of 0 keeps nothing')
  cache.close()
  none.close()
})

t.test('a kept statement reads the schema as it is now', async (t) => {
  const { cache, raw } = memory(10)
  const q = 'SELECT * FROM t WHERE id = 1'
  t.same(cache.prepare(q).all([]), [{ id: 1, name: 'a' }])
  raw.exec("ALTER TABLE t ADD COLUMN city TEXT DEFAULT 'Nantes'")
  t.same(cache.prepare(q).all([]), [{ id: 1, name: 'a', city: 'Nantes' }], 'the new column is read')
  raw.exec('DROP TABLE t')
  t.throws(() => cache.prepare(q).all([]), /no such table/, 'a dropped table is an error, as without the cache')
  cache.close()
})

t.test('through kysely: migrations, kept queries, streams, a table changed', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'creneaux-statements-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const db = openSqlite(join(dir, 'db.sqlite'))
  t.teardown(async () => { await db.destroy() })
  t.same(await migrateToLatest(db), Object.keys(migrations), 'every migration ran')
  const cache = statementCacheOf(db)
  if (cache === undefined) throw new Error('no statement cache')
  const count = async (): Promise<number> => Number((await db.selectFrom('cpts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  t.equal(await count(), 0)
  await db.insertInto('cpts').values({ id: 'c1', name: 'CPTS 1', timezone: 'Europe/Paris', created_at: '2026-06-01T08:00:00.000Z' }).execute()
  const misses = cache.misses
  t.equal(await count(), 1, 'the kept count reads the new row')
  t.equal(cache.misses, misses, 'without preparing it again')
  const streamed: string[] = []
  for await (const row of db.selectFrom('cpts').select('id').stream()) streamed.push(row.id)
  t.same(streamed, ['c1'], 'streams read as before')
  const row = async (): Promise<Record<string, unknown>> => await db.selectFrom('cpts').selectAll().where('id', '=', 'c1').executeTakeFirstOrThrow()
  t.notOk('motto' in await row())
  await sql`ALTER TABLE cpts ADD COLUMN motto TEXT`.execute(db)
  t.match(await row(), { id: 'c1', motto: null }, 'a table changed after its SELECT * was kept: the new column is read')
  await sql`ALTER TABLE cpts DROP COLUMN motto`.execute(db)
})
