// The scaffolding `npm run backup` and `npm run restore` share: SQLite only (DATABASE_URL set →
// the PostgreSQL tool to use instead), one file argument, and the exit codes operators script
// against: 2 for a call to correct, 1 when the work itself failed.
import { loadConfig } from '../server/config.js'

export interface SqliteCommand {
  /** What to use on PostgreSQL, e.g. `back up PostgreSQL with pg_dump -Fc`. */
  onPostgres: string
  /** The usage line, e.g. `npm run backup -- <file>   (…)`. */
  usage: string
  /** The first words of the failure line, e.g. `Backup failed`. */
  failed: string
  /** Does the work with the file argument and the database file of DATA_DIR; returns the line to print. */
  run: (file: string, dbFile: string) => Promise<string> | string
}

export async function runSqliteCommand (command: SqliteCommand): Promise<void> {
  const file = process.argv[2]
  const config = loadConfig(process.env)
  if (config.databaseUrl !== null) {
    console.error(`DATABASE_URL is set: ${command.onPostgres} (README, "Operating Créneaux").`)
    process.exit(2)
  }
  if (file === undefined || file === '') {
    console.error(`Usage: ${command.usage}`)
    process.exit(2)
  }
  try {
    console.log(await command.run(file, config.dbFile))
  } catch (err) {
    console.error(`${command.failed}: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  }
}
