import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import SQLite from 'better-sqlite3'

/**
 * Backups of the SQLite database (README "Operating Créneaux"; PostgreSQL: pg_dump). The copy
 * is SQLite's online backup, through better-sqlite3 on a connection of its own: a consistent
 * snapshot of one instant while the server goes on writing (WAL: it never waits for us, nor we
 * for it), with every transaction committed before that instant and none after.
 */
export interface BackupResult { file: string, pages: number, integrity: string }

/** The file's own check and that it is Créneaux's (it has the migrations' table); throws when not. */
export function checkSqliteFile (file: string): string {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ')
    if (integrity !== 'ok') throw new Error(`${file}: integrity_check says ${integrity}`)
    const migrations = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get() as { n: number }
    if (migrations.n !== 1) throw new Error(`${file}: not a Créneaux database (no kysely_migration table)`)
    return integrity
  } finally {
    db.close()
  }
}

/** Copies the live database `source` to `target` (which must not exist), then checks the copy. */
export async function backupSqlite (source: string, target: string): Promise<BackupResult> {
  const to = resolve(target)
  if (existsSync(to)) throw new Error(`${to} exists already: give a new file name (a backup never overwrites)`)
  if (!existsSync(source)) throw new Error(`${source}: no database there (DATA_DIR?)`)
  mkdirSync(dirname(to), { recursive: true })
  const db = new SQLite(source, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    // Every page in one step: a step-by-step copy starts over whenever the server writes meanwhile.
    const r = await db.backup(to, { progress: () => 0x7fffffff })
    return { file: to, pages: r.totalPages, integrity: checkSqliteFile(to) }
  } catch (err) {
    rmSync(to, { force: true })
    throw err
  } finally {
    db.close()
  }
}

/**
 * Puts backup `source` in place as the database file `target` (`DATA_DIR/creneaux.sqlite`), whose
 * folder must hold no database yet: a restore never overwrites (move the old data folder away first).
 */
export function restoreSqlite (source: string, target: string): { file: string, integrity: string } {
  const integrity = checkSqliteFile(source)
  const dir = dirname(target)
  if (existsSync(dir)) {
    const name = target.slice(dir.length + 1)
    const left = readdirSync(dir).filter((f) => f === name || f.startsWith(name + '-'))
    if (left.length > 0) throw new Error(`${dir} already holds a database (${left.join(', ')}): restore into an empty data folder, never over one`)
  }
  mkdirSync(dir, { recursive: true })
  copyFileSync(source, target, constants.COPYFILE_EXCL)
  return { file: join(dir, target.slice(dir.length + 1)), integrity }
}
