// `npm run backup -- <file>`: a consistent copy of the SQLite database of DATA_DIR, taken while
// the server runs (README "Operating Créneaux"). PostgreSQL: use pg_dump (see the README).
import { backupSqlite } from '../server/features/ops/backup.js'
import { runSqliteCommand } from './sqlite-command.js'

await runSqliteCommand({
  onPostgres: 'back up PostgreSQL with pg_dump -Fc',
  usage: 'npm run backup -- <file>   (a new file; the database is DATA_DIR/creneaux.sqlite)',
  failed: 'Backup failed',
  run: async (target, dbFile) => {
    const r = await backupSqlite(dbFile, target)
    return `Backup of ${dbFile} written to ${r.file} (${r.pages} pages, integrity_check: ${r.integrity}).`
  }
})
