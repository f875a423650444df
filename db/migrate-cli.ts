// `npm run db:migrate`: applies pending migrations to the database of DATA_DIR.
import { loadConfig } from '../server/config.js'
import { openSqlite } from './connection.js'
import { migrateToLatest } from './migrate.js'

const config = loadConfig(process.env)
const db = openSqlite(config.dbFile)
const applied = await migrateToLatest(db)
console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Schema already up to date.')
await db.destroy()
