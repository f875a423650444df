// `npm run restore -- <file>`: puts a backup in place as DATA_DIR/creneaux.sqlite, in a data
// folder that holds no database (never over one); start the server on it afterwards.
import { loadConfig } from '../server/config.js'
import { restoreSqlite } from '../server/features/ops/backup.js'

const source = process.argv[2]
const config = loadConfig(process.env)
if (config.databaseUrl !== null) {
  console.error('DATABASE_URL is set: restore PostgreSQL with pg_restore (README, "Operating Créneaux").')
  process.exit(2)
}
if (source === undefined || source === '') {
  console.error('Usage: npm run restore -- <backup file>   (into DATA_DIR, which must hold no database)')
  process.exit(2)
}
try {
  const r = restoreSqlite(source, config.dbFile)
  console.log(`Restored ${source} as ${r.file} (integrity_check: ${r.integrity}). Start the server with this DATA_DIR.`)
} catch (err) {
  console.error(`Restore refused: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
