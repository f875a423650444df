// `npm run restore -- <file>`: puts a backup in place as DATA_DIR/creneaux.sqlite, in a data
// folder that holds no database (never over one); start the server on it afterwards.
import { restoreSqlite } from '../server/features/ops/backup.js'
import { runSqliteCommand } from './sqlite-command.js'

await runSqliteCommand({
  onPostgres: 'restore PostgreSQL with pg_restore',
  usage: 'npm run restore -- <backup file>   (into DATA_DIR, which must hold no database)',
  failed: 'Restore refused',
  run: (source, dbFile) => {
    const r = restoreSqlite(source, dbFile)
    return `Restored ${source} as ${r.file} (integrity_check: ${r.integrity}). Start the server with this DATA_DIR.`
  }
})
