// `npm run db:migrate`: applies pending migrations to the database of DATABASE_URL, else DATA_DIR.
import { loadConfig } from '../server/config.js'
import { migrateToLatest } from './migrate.js'
import { describeDatabase, openDatabase } from './open.js'

const config = loadConfig(process.env)
const db = openDatabase(config)
console.log(`Database: ${describeDatabase(config)}`)
const applied = await migrateToLatest(db)
console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Schema already up to date.')
await db.destroy()
