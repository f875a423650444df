// `npm run backup -- <file>`: a consistent copy of the SQLite database of DATA_DIR, taken while
// the server runs (README "Operating Créneaux"). PostgreSQL: use pg_dump (see the README).
import { loadConfig } from '../server/config.js'
import { backupSqlite } from '../server/features/ops/backup.js'

const target = process.argv[2]
const config = loadConfig(process.env)
if (config.databaseUrl !== null) {
  console.error('DATABASE_URL is set: back up PostgreSQL with pg_dump -Fc (README, "Operating Créneaux").')
  process.exit(2)
}
if (target === undefined || target === '') {
  console.error('Usage: npm run backup -- <file>   (a new file; the database is DATA_DIR/creneaux.sqlite)')
  process.exit(2)
}
try {
  const r = await backupSqlite(config.dbFile, target)
  console.log(`Backup of ${config.dbFile} written to ${r.file} (${r.pages} pages, integrity_check: ${r.integrity}).`)
} catch (err) {
  console.error(`Backup failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
