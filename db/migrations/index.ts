import type { Migration } from 'kysely'
import * as m0001 from './0001_accounts.js'

/** Every migration, by a name that sorts in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_accounts': m0001
}
